// SPDX-License-Identifier: GPL-2.0
/*
 * win32-shm-client: the second process of Microsoft's "Creating Named Shared
 * Memory" sample, written against <sections/windows.h>.
 *
 * Opens the file mapping object "Global\MyFileMappingObject" that
 * win32-shm-server created, maps a view of it and prints the message the
 * server left there (the sample shows it in a message box).
 */
#include <stdio.h>

#include <sections/windows.h>

#define BUF_SIZE 256

static const char szName[] = "Global\\MyFileMappingObject";

int main(void)
{
	HANDLE hMapFile;
	LPCSTR pBuf;

	hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS,	/* read/write access */
				   FALSE,		/* do not inherit the name */
				   szName);		/* name of the object */
	if (hMapFile == NULL) {
		printf("FAIL: client: could not open file mapping object (%u)\n",
		       GetLastError());
		return 1;
	}
	printf("client: opened \"%s\"\n", szName);

	pBuf = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);
	if (pBuf == NULL) {
		printf("FAIL: client: could not map view of file (%u)\n", GetLastError());
		CloseHandle(hMapFile);
		return 1;
	}

	/* The server wrote a NUL-terminated string; do not trust it to. */
	printf("client: message: \"%.*s\"\n", BUF_SIZE, pBuf);

	UnmapViewOfFile(pBuf);
	CloseHandle(hMapFile);
	return 0;
}
