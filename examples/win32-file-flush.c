// SPDX-License-Identifier: GPL-2.0
/*
 * win32-file-flush [FILE]: reading and writing through a file view, after
 * Microsoft's "Reading and Writing From a File View" and FlushViewOfFile
 * pages, written against <sections/windows.h>.
 *
 * Creates FILE (default fmflush.txt; kept, so that it can be looked at),
 * maps it through a file mapping object one page larger than the file (which
 * grows the file to that size), writes a text through the view, and makes
 * it durable the documented way: FlushViewOfFile writes the view's dirty
 * pages to the file, FlushFileBuffers then writes the file to disk. After
 * unmapping the view and closing every handle, it reopens the file and reads
 * the text back with ReadFile.
 */
#include <stdio.h>
#include <string.h>

#include <sections/windows.h>

#define MAP_SIZE	4096

static const char szText[] = "Written through a file view, flushed with FlushViewOfFile.";
static char buf[MAP_SIZE];

int main(int argc, char **argv)
{
	LPCSTR lpcTheFile = argc > 1 ? argv[1] : "fmflush.txt";
	HANDLE hFile, hMapFile;
	DWORD dwRead, i;
	LPVOID lpMapAddress;

	hFile = CreateFile(lpcTheFile, GENERIC_READ | GENERIC_WRITE, 0, NULL,
			   CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (hFile == INVALID_HANDLE_VALUE) {
		printf("FAIL: file-flush: CreateFile: error %u\n", GetLastError());
		return 1;
	}
	printf("file-flush: created an empty file\n");

	/* A writable mapping object larger than its file extends the file. */
	hMapFile = CreateFileMapping(hFile, NULL, PAGE_READWRITE, 0, MAP_SIZE, NULL);
	if (hMapFile == NULL) {
		printf("FAIL: file-flush: CreateFileMapping: error %u\n", GetLastError());
		return 1;
	}
	printf("file-flush: mapping object of %d bytes; the file is now %u bytes\n",
	       MAP_SIZE, GetFileSize(hFile, NULL));

	lpMapAddress = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0);
	if (lpMapAddress == NULL) {
		printf("FAIL: file-flush: MapViewOfFile: error %u\n", GetLastError());
		return 1;
	}
	memcpy(lpMapAddress, szText, strlen(szText));
	printf("file-flush: wrote %zu bytes through the view\n", strlen(szText));

	/* Length 0: the whole view. */
	if (!FlushViewOfFile(lpMapAddress, 0)) {
		printf("FAIL: file-flush: FlushViewOfFile: error %u\n", GetLastError());
		return 1;
	}
	if (!FlushFileBuffers(hFile)) {
		printf("FAIL: file-flush: FlushFileBuffers: error %u\n", GetLastError());
		return 1;
	}
	printf("file-flush: FlushViewOfFile and FlushFileBuffers succeeded\n");

	if (!UnmapViewOfFile(lpMapAddress) || !CloseHandle(hMapFile) || !CloseHandle(hFile)) {
		printf("FAIL: file-flush: unmap or close: error %u\n", GetLastError());
		return 1;
	}
	printf("file-flush: unmapped the view, closed the mapping and the file\n");

	hFile = CreateFile(lpcTheFile, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
			   FILE_ATTRIBUTE_NORMAL, NULL);
	if (hFile == INVALID_HANDLE_VALUE) {
		printf("FAIL: file-flush: reopening: error %u\n", GetLastError());
		return 1;
	}
	if (!ReadFile(hFile, buf, sizeof(buf), &dwRead, NULL)) {
		printf("FAIL: file-flush: ReadFile: error %u\n", GetLastError());
		return 1;
	}
	CloseHandle(hFile);
	printf("file-flush: ReadFile read %u bytes: \"%.*s\"\n", dwRead,
	       (int)strlen(szText), buf);

	if (dwRead != MAP_SIZE || memcmp(buf, szText, strlen(szText))) {
		printf("FAIL: file-flush: the file does not hold the text\n");
		return 1;
	}
	/* The rest of the page was never written: the file grew with zeros. */
	for (i = strlen(szText); i < dwRead; i++) {
		if (buf[i]) {
			printf("FAIL: file-flush: byte %u is %d, not 0\n", i, buf[i]);
			return 1;
		}
	}
	printf("file-flush: the file holds the text, then zeros to %u bytes\n", dwRead);
	return 0;
}
