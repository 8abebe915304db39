/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * <sections/windows.h>: a Win32-compatible layer over libsections.
 *
 * CreateFileMapping, OpenFileMapping, MapViewOfFile(Ex), UnmapViewOfFile,
 * FlushViewOfFile, VirtualQuery, CloseHandle, DuplicateHandle,
 * GetCurrentProcess(Id), GetLastError/SetLastError, GetSystemInfo,
 * GetLargePageMinimum and a small synchronous file API (CreateFile, ReadFile,
 * WriteFile, GetFileSize(Ex), SetFilePointer(Ex), SetEndOfFile,
 * FlushFileBuffers, DeleteFile), with the types and constants of the Windows
 * SDK (same names, same numeric values).
 * Link with -lsections (and -pthread on C libraries older than glibc 2.34).
 *
 * Design
 * ------
 *  - A HANDLE is a file descriptor encoded as a pointer: (HANDLE)(fd + 1).
 *    A valid handle is therefore never NULL and never INVALID_HANDLE_VALUE.
 *    A section handle is an fd from /dev/sections; a file handle is an fd
 *    from open(2). The layer tells them apart with SECTIONS_IOC_QUERY: a
 *    descriptor on which that ioctl succeeds or fails with EACCES (a handle
 *    without query access) is a section, anything else is not. No table is
 *    kept, so fork, dup and exec behave as for plain descriptors.
 *  - One descriptor of /dev/sections, opened O_CLOEXEC under pthread_once()
 *    on first use and kept for the life of the process, is used for create,
 *    open, unmap and flush. If opening it fails (module not loaded) every
 *    later call fails too, with the error of that first attempt.
 *  - GetCurrentProcess() is the pseudo handle (HANDLE)-1, as on Windows,
 *    where it equals INVALID_HANDLE_VALUE too. There are no other process
 *    handles: the only process a function can act on is the caller.
 *  - Views are told apart from other memory statelessly as well: the module
 *    answers SECTIONS_IOC_QUERY_VIEW_PAGES for addresses in views only, and
 *    /proc/self/maps gives a view's extent (a view is one VMA).
 *  - The last-error code is per thread (__thread). As on Windows, functions
 *    set it on failure and leave it alone on success, except where Windows
 *    documents otherwise (CreateFileMapping and CreateFile set it to 0 or
 *    ERROR_ALREADY_EXISTS on success; GetFileSize and SetFilePointer set 0
 *    when a successful result equals their failure value).
 *  - Kernel errors map to Windows codes as in the README's table (EINVAL ->
 *    ERROR_INVALID_PARAMETER, ENOENT -> ERROR_FILE_NOT_FOUND, EACCES and
 *    ENXIO -> ERROR_ACCESS_DENIED, EMEDIUMTYPE -> ERROR_INVALID_HANDLE, ...).
 *
 * Known differences from Windows, function by function
 * ----------------------------------------------------
 *  GetLastError, SetLastError
 *                   A per-thread value; no differences.
 *  CloseHandle      Closes the descriptor; works on any handle of this layer.
 *                   Closing a handle twice may close an unrelated descriptor
 *                   that reused the number (Windows handle values are reused
 *                   too, but later). The pseudo handle GetCurrentProcess() is
 *                   accepted and nothing happens, as on Windows.
 *  DuplicateHandle  Within the calling process only: hSourceProcessHandle and
 *                   hTargetProcessHandle must be GetCurrentProcess() (anything
 *                   else is ERROR_INVALID_HANDLE; with DUPLICATE_CLOSE_SOURCE
 *                   the source is still closed when only the target process is
 *                   wrong, as Windows closes it "regardless of any error").
 *                   A NULL target process with DUPLICATE_CLOSE_SOURCE just
 *                   closes the source. Duplicating GetCurrentProcess() itself
 *                   fails with ERROR_NOT_SUPPORTED (there are no real process
 *                   handles). Section handles get a new handle from the module
 *                   with the FILE_MAP_ / SECTION_ / GENERIC_ rights asked for
 *                   (plus query access when the source has it, as for
 *                   OpenFileMapping, and without the rights the protection
 *                   forbids, as for OpenFileMapping); a right the source lacks is
 *                   ERROR_ACCESS_DENIED (Windows re-checks the object's
 *                   security descriptor and may grant it). File handles are
 *                   dup(2)ed: one open file, one file pointer, as on Windows,
 *                   but the duplicate keeps all of the source's access even
 *                   when less is asked for (more is ERROR_ACCESS_DENIED).
 *                   bInheritHandle controls close-on-exec. lpTargetHandle
 *                   NULL makes no duplicate (NtDuplicateObject's behaviour;
 *                   the Win32 page says a leaked one is made). Unknown
 *                   dwOptions bits are ERROR_INVALID_PARAMETER.
 *  GetCurrentProcess, GetCurrentProcessId
 *                   (HANDLE)-1 and getpid(); no differences.
 *  CreateFileMapping
 *                   lpSecurityDescriptor is ignored: a named section gets mode
 *                   0600 (owner only). bInheritHandle only controls
 *                   close-on-exec. Names live in the caller's IPC namespace;
 *                   "Global\" and "Local\" both mean it. A name with any other
 *                   backslash fails with ERROR_INVALID_PARAMETER (Windows:
 *                   ERROR_PATH_NOT_FOUND for a missing object directory).
 *                   An empty name ("") makes an unnamed section. SEC_IMAGE,
 *                   SEC_IMAGE_NO_EXECUTE, SEC_LARGE_PAGES, SEC_NOCACHE and
 *                   SEC_WRITECOMBINE are not supported and fail with
 *                   ERROR_INVALID_PARAMETER. SEC_RESERVE on a pagefile section
 *                   means "do not charge the commit limit" (there is no
 *                   VirtualAlloc(MEM_COMMIT) on views: pages are committed on
 *                   touch); on a file-backed section it is ignored.
 *                   PAGE_NOACCESS and PAGE_EXECUTE are rejected, as on Windows.
 *  OpenFileMapping  FILE_MAP_* rights map to the module's rights; a handle
 *                   gets query access too when the mode allows it. Rights the
 *                   section's protection forbids (FILE_MAP_ALL_ACCESS's
 *                   execute right on a PAGE_READWRITE section, its write right
 *                   on a PAGE_READONLY one) are dropped from the handle, not
 *                   refused: Windows grants them by the security descriptor
 *                   and refuses only the view that asks for them, with
 *                   ERROR_ACCESS_DENIED, which is what MapViewOfFile then does.
 *  MapViewOfFile(Ex)
 *                   Views are placed at 64 KiB-aligned addresses, as on
 *                   Windows (any page-aligned address if other threads keep
 *                   taking the aligned ones). dwDesiredAccess follows
 *                   kernelbase: exactly FILE_MAP_COPY (optionally |
 *                   FILE_MAP_EXECUTE) is a copy-on-write view; otherwise
 *                   FILE_MAP_WRITE gives a read/write view, FILE_MAP_READ a
 *                   read-only one; anything else (e.g. 0) is
 *                   ERROR_INVALID_PARAMETER. FILE_MAP_RESERVE,
 *                   FILE_MAP_LARGE_PAGES and FILE_MAP_TARGETS_INVALID are not
 *                   supported (ERROR_INVALID_PARAMETER). A view is
 *                   indivisible (partial munmap/mprotect fail), as on Windows.
 *                   A view of a SEC_RESERVE section is MEM_COMMIT to
 *                   VirtualQuery (Windows: MEM_RESERVE until VirtualAlloc
 *                   commits pages, which has no counterpart here).
 *  UnmapViewOfFile  Any address inside a view unmaps all of it, as
 *                   NtUnmapViewOfSection does (the Win32 page asks for the
 *                   base). Anything else is ERROR_INVALID_ADDRESS.
 *  FlushViewOfFile  Writes the dirty pages to the file's page cache (read()
 *                   sees them); FlushFileBuffers on the file then makes them
 *                   durable, as on Windows. A range running past the end of
 *                   the view is ERROR_ACCESS_DENIED.
 *  VirtualQuery     Views are described exactly: AllocationBase is the view's
 *                   base, RegionSize runs to the end of the view or of the run
 *                   of pages with the same protection, Type is MEM_MAPPED and
 *                   State MEM_COMMIT; pages of a copy-on-write view read
 *                   PAGE_WRITECOPY until written and PAGE_READWRITE after
 *                   (from /proc/self/pagemap). AllocationProtect is the
 *                   view's current protection: it changes if the whole view
 *                   is mprotect()ed (Windows keeps the original). Other memory
 *                   comes from /proc/self/maps and is approximate: one VMA is
 *                   one allocation (Linux merges adjacent mmap()s with equal
 *                   flags and splits one at mprotect(), so AllocationBase may
 *                   be off), except that a loaded ELF image (program, shared
 *                   library, vDSO) is one MEM_IMAGE allocation based at its
 *                   first page with AllocationProtect PAGE_EXECUTE_WRITECOPY;
 *                   other file and shared mappings are MEM_MAPPED, anonymous
 *                   private memory MEM_PRIVATE; PROT_NONE outside views is
 *                   MEM_RESERVE (Protect 0), other mapped memory MEM_COMMIT
 *                   even where no page was ever touched. Unmapped addresses are
 *                   MEM_FREE with Protect PAGE_NOACCESS up to the next mapping.
 *                   dwLength below sizeof(MEMORY_BASIC_INFORMATION) is
 *                   ERROR_BAD_LENGTH (NtQueryVirtualMemory's
 *                   STATUS_INFO_LENGTH_MISMATCH); a NULL lpBuffer
 *                   ERROR_NOACCESS; an address past the user address space
 *                   (2^47 minus a page on x86-64, unless something is mapped
 *                   there) ERROR_INVALID_PARAMETER. Needs /proc (else
 *                   ERROR_NOT_SUPPORTED). PartitionId is 0.
 *  GetSystemInfo    dwAllocationGranularity is 65536; dwPageSize is the
 *                   kernel's page size; dwProcessorType is PROCESSOR_AMD_X8664
 *                   or PROCESSOR_INTEL_PENTIUM on x86 and 0 elsewhere;
 *                   wProcessorLevel/Revision are 0. lpMaximumApplicationAddress
 *                   is Windows' 0x7FFFFFFEFFFF; Linux lets a program map up to
 *                   one page below 2^47, and VirtualQuery describes that too.
 *  GetLargePageMinimum
 *                   0, as Windows returns without large-page support: sections
 *                   have no large pages (SEC_LARGE_PAGES and
 *                   FILE_MAP_LARGE_PAGES are ERROR_INVALID_PARAMETER).
 *  CreateFile       dwShareMode is ignored (Linux has no share modes, so no
 *                   ERROR_SHARING_VIOLATION). Attributes are ignored, and of the
 *                   flags only FILE_FLAG_WRITE_THROUGH (O_DSYNC) is honoured;
 *                   FILE_FLAG_OVERLAPPED and FILE_FLAG_DELETE_ON_CLOSE fail
 *                   with ERROR_INVALID_PARAMETER. hTemplateFile is ignored.
 *                   Paths are Linux paths (no drive letters, '/' separators).
 *                   dwDesiredAccess 0 opens the file read-only.
 *  ReadFile/WriteFile
 *                   Synchronous only: lpOverlapped must be NULL.
 *                   lpNumberOf... may be NULL (Windows requires it without
 *                   OVERLAPPED). WriteFile loops until everything is written.
 *  SetFilePointer(Ex), GetFileSize(Ex), SetEndOfFile, FlushFileBuffers
 *                   lseek, fstat, ftruncate and fsync. Seeking before the
 *                   start is ERROR_NEGATIVE_SEEK.
 *  DeleteFile       unlink(2): an open file can be deleted (Windows refuses
 *                   with ERROR_ACCESS_DENIED/ERROR_SHARING_VIOLATION).
 *  W variants       Names are converted from UTF-16 to UTF-8. A name holding
 *                   an unpaired surrogate cannot be converted and fails with
 *                   ERROR_INVALID_NAME (Windows would accept it).
 */
#ifndef LIBSECTIONS_SECTIONS_WINDOWS_H
#define LIBSECTIONS_SECTIONS_WINDOWS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WINAPI
#define WINAPI
#endif

/* ---- types (Windows' LLP64 sizes: LONG and DWORD are 32 bits) ---- */

typedef int BOOL;
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef uint32_t DWORD;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR;
typedef uintptr_t DWORD_PTR;
typedef size_t SIZE_T;
typedef uint16_t WCHAR;
typedef char CHAR;
typedef void VOID;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;
typedef HANDLE *LPHANDLE;
typedef DWORD *LPDWORD;
typedef DWORD *PDWORD;
typedef LONG *PLONG;
typedef char *LPSTR;
typedef const char *LPCSTR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;

typedef union _LARGE_INTEGER {
	struct {
		DWORD LowPart;
		LONG HighPart;
	};
	struct {
		DWORD LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _SECURITY_ATTRIBUTES {
	DWORD nLength;
	LPVOID lpSecurityDescriptor;
	BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _SYSTEM_INFO {
	union {
		DWORD dwOemId;
		struct {
			WORD wProcessorArchitecture;
			WORD wReserved;
		};
	};
	DWORD dwPageSize;
	LPVOID lpMinimumApplicationAddress;
	LPVOID lpMaximumApplicationAddress;
	DWORD_PTR dwActiveProcessorMask;
	DWORD dwNumberOfProcessors;
	DWORD dwProcessorType;
	DWORD dwAllocationGranularity;
	WORD wProcessorLevel;
	WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;

typedef struct _MEMORY_BASIC_INFORMATION {
	PVOID BaseAddress;
	PVOID AllocationBase;
	DWORD AllocationProtect;
#if UINTPTR_MAX > 0xffffffffU
	WORD PartitionId;
#endif
	SIZE_T RegionSize;
	DWORD State;
	DWORD Protect;
	DWORD Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

/* OVERLAPPED is declared only so that prototypes match; it must be NULL. */
typedef struct _OVERLAPPED OVERLAPPED, *LPOVERLAPPED;

#ifndef TRUE
#define TRUE	1
#endif
#ifndef FALSE
#define FALSE	0
#endif

#define INVALID_HANDLE_VALUE		((HANDLE)(LONG_PTR)-1)
#define INVALID_FILE_SIZE		((DWORD)0xFFFFFFFF)
#define INVALID_SET_FILE_POINTER	((DWORD)-1)
#define MAX_PATH			260

/* ---- page protections (winnt.h) ---- */
#define PAGE_NOACCESS			0x01
#define PAGE_READONLY			0x02
#define PAGE_READWRITE			0x04
#define PAGE_WRITECOPY			0x08
#define PAGE_EXECUTE			0x10
#define PAGE_EXECUTE_READ		0x20
#define PAGE_EXECUTE_READWRITE		0x40
#define PAGE_EXECUTE_WRITECOPY		0x80
#define PAGE_GUARD			0x100
#define PAGE_NOCACHE			0x200
#define PAGE_WRITECOMBINE		0x400

/* ---- section attributes, ORed into flProtect (winnt.h) ---- */
#define SEC_PARTITION_OWNER_HANDLE	0x00040000
#define SEC_64K_PAGES			0x00080000
#define SEC_FILE			0x00800000
#define SEC_IMAGE			0x01000000
#define SEC_PROTECTED_IMAGE		0x02000000
#define SEC_RESERVE			0x04000000
#define SEC_COMMIT			0x08000000
#define SEC_NOCACHE			0x10000000
#define SEC_WRITECOMBINE		0x40000000
#define SEC_LARGE_PAGES			0x80000000
#define SEC_IMAGE_NO_EXECUTE		(SEC_IMAGE | SEC_NOCACHE)

/* ---- access rights (winnt.h, memoryapi.h) ---- */
#define DELETE				0x00010000
#define READ_CONTROL			0x00020000
#define WRITE_DAC			0x00040000
#define WRITE_OWNER			0x00080000
#define SYNCHRONIZE			0x00100000
#define STANDARD_RIGHTS_REQUIRED	0x000F0000

#define GENERIC_READ			0x80000000
#define GENERIC_WRITE			0x40000000
#define GENERIC_EXECUTE			0x20000000
#define GENERIC_ALL			0x10000000

#define SECTION_QUERY			0x0001
#define SECTION_MAP_WRITE		0x0002
#define SECTION_MAP_READ		0x0004
#define SECTION_MAP_EXECUTE		0x0008
#define SECTION_EXTEND_SIZE		0x0010
#define SECTION_MAP_EXECUTE_EXPLICIT	0x0020
#define SECTION_ALL_ACCESS		(STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | \
					 SECTION_MAP_WRITE | SECTION_MAP_READ | \
					 SECTION_MAP_EXECUTE | SECTION_EXTEND_SIZE)

#define FILE_MAP_COPY			SECTION_QUERY
#define FILE_MAP_WRITE			SECTION_MAP_WRITE
#define FILE_MAP_READ			SECTION_MAP_READ
#define FILE_MAP_ALL_ACCESS		SECTION_ALL_ACCESS
#define FILE_MAP_EXECUTE		SECTION_MAP_EXECUTE_EXPLICIT
#define FILE_MAP_LARGE_PAGES		0x20000000
#define FILE_MAP_TARGETS_INVALID	0x40000000
#define FILE_MAP_RESERVE		0x80000000

/* ---- files (winnt.h, fileapi.h) ---- */
#define FILE_READ_DATA			0x0001
#define FILE_WRITE_DATA			0x0002
#define FILE_APPEND_DATA		0x0004

#define FILE_SHARE_READ			0x00000001
#define FILE_SHARE_WRITE		0x00000002
#define FILE_SHARE_DELETE		0x00000004

#define CREATE_NEW			1
#define CREATE_ALWAYS			2
#define OPEN_EXISTING			3
#define OPEN_ALWAYS			4
#define TRUNCATE_EXISTING		5

#define FILE_ATTRIBUTE_READONLY		0x00000001
#define FILE_ATTRIBUTE_HIDDEN		0x00000002
#define FILE_ATTRIBUTE_SYSTEM		0x00000004
#define FILE_ATTRIBUTE_ARCHIVE		0x00000020
#define FILE_ATTRIBUTE_NORMAL		0x00000080
#define FILE_ATTRIBUTE_TEMPORARY	0x00000100

#define FILE_FLAG_WRITE_THROUGH		0x80000000
#define FILE_FLAG_OVERLAPPED		0x40000000
#define FILE_FLAG_NO_BUFFERING		0x20000000
#define FILE_FLAG_RANDOM_ACCESS		0x10000000
#define FILE_FLAG_SEQUENTIAL_SCAN	0x08000000
#define FILE_FLAG_DELETE_ON_CLOSE	0x04000000
#define FILE_FLAG_BACKUP_SEMANTICS	0x02000000

#define FILE_BEGIN			0
#define FILE_CURRENT			1
#define FILE_END			2

/* ---- handles (handleapi.h) ---- */
#define DUPLICATE_CLOSE_SOURCE		0x00000001
#define DUPLICATE_SAME_ACCESS		0x00000002

/* ---- memory states and types (winnt.h) ---- */
#define MEM_COMMIT			0x00001000
#define MEM_RESERVE			0x00002000
#define MEM_FREE			0x00010000
#define MEM_PRIVATE			0x00020000
#define MEM_MAPPED			0x00040000
#define MEM_IMAGE			0x01000000

/* ---- system information (winnt.h) ---- */
#define PROCESSOR_ARCHITECTURE_INTEL	0
#define PROCESSOR_ARCHITECTURE_ARM	5
#define PROCESSOR_ARCHITECTURE_AMD64	9
#define PROCESSOR_ARCHITECTURE_ARM64	12
#define PROCESSOR_ARCHITECTURE_UNKNOWN	0xFFFF
#define PROCESSOR_INTEL_PENTIUM		586
#define PROCESSOR_AMD_X8664		8664

/* ---- error codes (winerror.h) ---- */
#define ERROR_SUCCESS			0
#define NO_ERROR			0
#define ERROR_INVALID_FUNCTION		1
#define ERROR_FILE_NOT_FOUND		2
#define ERROR_PATH_NOT_FOUND		3
#define ERROR_TOO_MANY_OPEN_FILES	4
#define ERROR_ACCESS_DENIED		5
#define ERROR_INVALID_HANDLE		6
#define ERROR_NOT_ENOUGH_MEMORY		8
#define ERROR_OUTOFMEMORY		14
#define ERROR_WRITE_PROTECT		19
#define ERROR_WRITE_FAULT		29
#define ERROR_READ_FAULT		30
#define ERROR_GEN_FAILURE		31
#define ERROR_SHARING_VIOLATION		32
#define ERROR_BAD_LENGTH		24
#define ERROR_HANDLE_EOF		38
#define ERROR_NOT_SUPPORTED		50
#define ERROR_FILE_EXISTS		80
#define ERROR_INVALID_PARAMETER		87
#define ERROR_DISK_FULL			112
#define ERROR_INSUFFICIENT_BUFFER	122
#define ERROR_INVALID_NAME		123
#define ERROR_NEGATIVE_SEEK		131
#define ERROR_BUSY			170
#define ERROR_ALREADY_EXISTS		183
#define ERROR_FILENAME_EXCED_RANGE	206
#define ERROR_INVALID_ADDRESS		487
#define ERROR_NOACCESS			998
#define ERROR_FILE_INVALID		1006
#define ERROR_NO_UNICODE_TRANSLATION	1113
#define ERROR_MAPPED_ALIGNMENT		1132
#define ERROR_USER_MAPPED_FILE		1224
#define ERROR_COMMITMENT_LIMIT		1455

/* ---- last error ---- */
DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);

/* ---- handles and the current process ---- */
BOOL WINAPI CloseHandle(HANDLE hObject);
BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
			    HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle,
			    DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions);
HANDLE WINAPI GetCurrentProcess(void);
DWORD WINAPI GetCurrentProcessId(void);

/* ---- file mappings and views ---- */
HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
				 DWORD flProtect, DWORD dwMaximumSizeHigh,
				 DWORD dwMaximumSizeLow, LPCSTR lpName);
HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes,
				 DWORD flProtect, DWORD dwMaximumSizeHigh,
				 DWORD dwMaximumSizeLow, LPCWSTR lpName);
HANDLE WINAPI OpenFileMappingA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
HANDLE WINAPI OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
			    DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
			    SIZE_T dwNumberOfBytesToMap);
LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
			      DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
			      SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress);
BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress);
BOOL WINAPI FlushViewOfFile(LPCVOID lpBaseAddress, SIZE_T dwNumberOfBytesToFlush);

/* ---- virtual memory ---- */
SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer,
			   SIZE_T dwLength);
SIZE_T WINAPI GetLargePageMinimum(void);

/* ---- system information ---- */
void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo);
void WINAPI GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo);

/* ---- files ---- */
HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
			  LPSECURITY_ATTRIBUTES lpSecurityAttributes,
			  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
			  HANDLE hTemplateFile);
HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
			  LPSECURITY_ATTRIBUTES lpSecurityAttributes,
			  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
			  HANDLE hTemplateFile);
BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
		     LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped);
BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
		      LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped);
DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh);
BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize);
DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove, PLONG lpDistanceToMoveHigh,
			    DWORD dwMoveMethod);
BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove,
			     PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod);
BOOL WINAPI SetEndOfFile(HANDLE hFile);
BOOL WINAPI FlushFileBuffers(HANDLE hFile);
BOOL WINAPI DeleteFileA(LPCSTR lpFileName);
BOOL WINAPI DeleteFileW(LPCWSTR lpFileName);

#ifdef UNICODE
#define CreateFileMapping	CreateFileMappingW
#define OpenFileMapping		OpenFileMappingW
#define CreateFile		CreateFileW
#define DeleteFile		DeleteFileW
#else
#define CreateFileMapping	CreateFileMappingA
#define OpenFileMapping		OpenFileMappingA
#define CreateFile		CreateFileA
#define DeleteFile		DeleteFileA
#endif

#ifdef __cplusplus
}
#endif

#endif /* LIBSECTIONS_SECTIONS_WINDOWS_H */
