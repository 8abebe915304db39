// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsections Win32 layer: UTF-16 names (the W functions) to UTF-8.
 */
#include "win32.h"

int win32_utf16_to_utf8(const WCHAR *in, char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		uint32_t c = *in++;
		char tmp[4];
		size_t len, i;

		if (c >= 0xD800 && c <= 0xDBFF) {
			uint32_t lo = *in;

			if (lo < 0xDC00 || lo > 0xDFFF)
				return -EILSEQ;
			in++;
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			return -EILSEQ;
		}

		if (c < 0x80) {
			tmp[0] = (char)c;
			len = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xC0 | (c >> 6));
			tmp[1] = (char)(0x80 | (c & 0x3F));
			len = 2;
		} else if (c < 0x10000) {
			tmp[0] = (char)(0xE0 | (c >> 12));
			tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			tmp[2] = (char)(0x80 | (c & 0x3F));
			len = 3;
		} else {
			tmp[0] = (char)(0xF0 | (c >> 18));
			tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
			tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F));
			tmp[3] = (char)(0x80 | (c & 0x3F));
			len = 4;
		}
		if (size - n < len)
			return -ENAMETOOLONG;
		for (i = 0; i < len; i++)
			buf[n++] = tmp[i];
		if (c == 0)
			return 0;
	}
}

void win32_set_name_error(int err)
{
	SetLastError(err == -EILSEQ ? ERROR_INVALID_NAME : ERROR_FILENAME_EXCED_RANGE);
}
