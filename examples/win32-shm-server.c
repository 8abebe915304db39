// SPDX-License-Identifier: GPL-2.0
/*
 * win32-shm-server: the first process of Microsoft's "Creating Named Shared
 * Memory" sample, written against <sections/windows.h>.
 *
 * Creates a file mapping object backed by the paging file (no file: hFile is
 * INVALID_HANDLE_VALUE) named "Global\MyFileMappingObject", maps a view of
 * it, copies a message into the view, then waits for a line on stdin (the
 * sample waits for a key) so that win32-shm-client can open the object by
 * name and read the message. The object lives as long as a handle to it, so
 * the server must keep its handle until the client has opened its own.
 */
#include <stdio.h>
#include <string.h>

#include <sections/windows.h>

#define BUF_SIZE 256

static const char szName[] = "Global\\MyFileMappingObject";
static const char szMsg[] = "Message from first process.";

int main(void)
{
	HANDLE hMapFile;
	LPVOID pBuf;
	int c;

	/* A script reads our stdout through a pipe or file while we wait. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	hMapFile = CreateFileMapping(INVALID_HANDLE_VALUE,	/* the paging file */
				     NULL,			/* default security */
				     PAGE_READWRITE,		/* read/write access */
				     0,				/* size: high DWORD */
				     BUF_SIZE,			/* size: low DWORD */
				     szName);			/* name of the object */
	if (hMapFile == NULL) {
		printf("FAIL: server: could not create file mapping object (%u)\n",
		       GetLastError());
		return 1;
	}
	/* CreateFileMapping also succeeds on a name that exists: say which. */
	printf("server: created \"%s\" (%d bytes, %s)\n", szName, BUF_SIZE,
	       GetLastError() == ERROR_ALREADY_EXISTS ? "it already existed" : "new");

	pBuf = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);
	if (pBuf == NULL) {
		printf("FAIL: server: could not map view of file (%u)\n", GetLastError());
		CloseHandle(hMapFile);
		return 1;
	}

	memcpy(pBuf, szMsg, sizeof(szMsg));	/* CopyMemory, with the NUL */
	printf("server: wrote \"%s\" to the view\n", (const char *)pBuf);

	printf("server: waiting; press Enter to close the mapping\n");
	do
		c = getchar();
	while (c != '\n' && c != EOF);

	UnmapViewOfFile(pBuf);
	CloseHandle(hMapFile);
	printf("server: unmapped the view and closed the handle\n");
	return 0;
}
