// SPDX-License-Identifier: GPL-2.0
/*
 * win32-file-view [FILE]: Microsoft's "Creating a View Within a File" sample,
 * written against <sections/windows.h>.
 *
 * A view must start at a multiple of the allocation granularity (64 KiB), so
 * to read data at an arbitrary file offset the program maps a view that
 * starts at the granularity boundary at or below that offset and reaches past
 * the data, then reads at the offset's distance from the view's start.
 *
 * FILE (default fmtest.bin, created or truncated, deleted at the end) is
 * filled with 32-bit numbers, each the index of its own 4-byte slot, so the
 * value at byte offset N must be N / 4.
 */
#include <stdio.h>
#include <string.h>

#include <sections/windows.h>

#define FILE_MAP_START	138240	/* where the data we want starts */
#define BUFFSIZE	1024	/* how much of it we look at */
#define GRANULES	4	/* file size, in allocation granularities */

static DWORD chunk[16384];	/* one 64 KiB stretch of the file */

int main(int argc, char **argv)
{
	LPCSTR lpcTheFile = argc > 1 ? argv[1] : "fmtest.bin";
	DWORD dwSysGran, dwFileMapStart, dwFileMapSize, dwMapViewSize, dwWritten, i, n, value;
	HANDLE hFile, hMapFile;
	SYSTEM_INFO SysInfo;
	LPVOID lpMapAddress;
	int iViewDelta, status = 1;

	GetSystemInfo(&SysInfo);
	dwSysGran = SysInfo.dwAllocationGranularity;
	printf("file-view: allocation granularity: %u bytes\n", dwSysGran);

	hFile = CreateFile(lpcTheFile, GENERIC_READ | GENERIC_WRITE, 0, NULL,
			   CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (hFile == INVALID_HANDLE_VALUE) {
		printf("FAIL: file-view: CreateFile: error %u\n", GetLastError());
		return 1;
	}
	for (n = 0; n < GRANULES * dwSysGran / sizeof(chunk); n++) {
		for (i = 0; i < sizeof(chunk) / sizeof(chunk[0]); i++)
			chunk[i] = n * (sizeof(chunk) / sizeof(chunk[0])) + i;
		if (!WriteFile(hFile, chunk, sizeof(chunk), &dwWritten, NULL) ||
		    dwWritten != sizeof(chunk)) {
			printf("FAIL: file-view: WriteFile: error %u\n", GetLastError());
			goto close_file;
		}
	}
	printf("file-view: wrote a file of %u bytes\n", GetFileSize(hFile, NULL));

	/* The view starts at the granularity boundary at or below the data. */
	dwFileMapStart = (FILE_MAP_START / dwSysGran) * dwSysGran;
	iViewDelta = FILE_MAP_START - dwFileMapStart;
	dwMapViewSize = iViewDelta + BUFFSIZE;
	/* The mapping object need only reach the end of the data. */
	dwFileMapSize = FILE_MAP_START + BUFFSIZE;
	printf("file-view: data at offset %d, view at offset %u (+%d), view size %u\n",
	       FILE_MAP_START, dwFileMapStart, iViewDelta, dwMapViewSize);

	hMapFile = CreateFileMapping(hFile, NULL, PAGE_READWRITE, 0, dwFileMapSize, NULL);
	if (hMapFile == NULL) {
		printf("FAIL: file-view: CreateFileMapping: error %u\n", GetLastError());
		goto close_file;
	}

	/* What the view is for: the data's own offset is not a valid view start. */
	lpMapAddress = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, FILE_MAP_START, BUFFSIZE);
	if (lpMapAddress != NULL || GetLastError() != ERROR_MAPPED_ALIGNMENT) {
		printf("FAIL: file-view: a view at offset %d: %p, error %u\n",
		       FILE_MAP_START, lpMapAddress, GetLastError());
		goto close_map;
	}
	printf("file-view: a view at offset %d fails: error %u (ERROR_MAPPED_ALIGNMENT)\n",
	       FILE_MAP_START, GetLastError());

	lpMapAddress = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, dwFileMapStart,
				     dwMapViewSize);
	if (lpMapAddress == NULL) {
		printf("FAIL: file-view: MapViewOfFile: error %u\n", GetLastError());
		goto close_map;
	}
	memcpy(&value, (char *)lpMapAddress + iViewDelta, sizeof(value));
	printf("file-view: the value at file offset %d is %u\n", FILE_MAP_START, value);
	if (value == FILE_MAP_START / sizeof(DWORD)) {
		printf("file-view: as written: offset / 4 = %d\n", FILE_MAP_START / 4);
		status = 0;
	} else {
		printf("FAIL: file-view: expected %d\n", FILE_MAP_START / 4);
	}
	if (!UnmapViewOfFile(lpMapAddress)) {
		printf("FAIL: file-view: UnmapViewOfFile: error %u\n", GetLastError());
		status = 1;
	}
close_map:
	CloseHandle(hMapFile);
close_file:
	CloseHandle(hFile);
	DeleteFile(lpcTheFile);
	return status;
}
