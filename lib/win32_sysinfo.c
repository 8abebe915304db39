// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: GetSystemInfo and GetLargePageMinimum.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "win32.h"

SECTIONS_EXPORT void WINAPI GetSystemInfo(LPSYSTEM_INFO si)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	DWORD_PTR mask = 0;
	cpu_set_t set;
	unsigned int i;

	if (!si)
		return;
	memset(si, 0, sizeof(*si));
#if defined(__x86_64__)
	si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64;
	si->dwProcessorType = PROCESSOR_AMD_X8664;
#elif defined(__i386__)
	si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_INTEL;
	si->dwProcessorType = PROCESSOR_INTEL_PENTIUM;
#elif defined(__aarch64__)
	si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64;
#elif defined(__arm__)
	si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM;
#else
	si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_UNKNOWN;
#endif
	si->dwPageSize = (DWORD)win32_page_size();
	si->dwAllocationGranularity = WIN32_GRANULARITY;
	si->lpMinimumApplicationAddress = (LPVOID)(uintptr_t)WIN32_GRANULARITY;
#if UINTPTR_MAX > 0xffffffffU
	/* The top of the 47-bit user address space, less one page, as Windows. */
	si->lpMaximumApplicationAddress =
		(LPVOID)(uintptr_t)((1ULL << 47) - WIN32_GRANULARITY - 1);
#else
	si->lpMaximumApplicationAddress = (LPVOID)(uintptr_t)0xBFFEFFFFU;
#endif
	si->dwNumberOfProcessors = n > 0 ? (DWORD)n : 1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (i = 0; i < sizeof(mask) * 8; i++)
			if (CPU_ISSET(i, &set))
				mask |= (DWORD_PTR)1 << i;
	}
	si->dwActiveProcessorMask = mask;
}

SECTIONS_EXPORT void WINAPI GetNativeSystemInfo(LPSYSTEM_INFO si)
{
	GetSystemInfo(si);
}

/*
 * Windows returns 0 when large pages are not supported. Sections have no large
 * pages (SEC_LARGE_PAGES and FILE_MAP_LARGE_PAGES fail with
 * ERROR_INVALID_PARAMETER; views are mapped with order-0 pages so that share
 * counts stay per page), so 0 is the consistent answer.
 */
SECTIONS_EXPORT SIZE_T WINAPI GetLargePageMinimum(void)
{
	return 0;
}
