// SPDX-License-Identifier: GPL-2.0
/*
 * Generic KASAN's shadow, written directly: the kernel exports no function
 * to poison or unpoison a range, so this file is built without KASAN's
 * instrumentation (Kbuild) and stores into the shadow itself, as
 * mm/kasan/ does.  One shadow byte covers a granule of 8 bytes: 0 when all
 * of it is accessible, k (1..7) when its first k bytes are, a negative
 * value when none is (the value names the kind of bad access).
 */

#include <linux/align.h>
#include <linux/kasan.h>

#include "kasan.h"

static s8 *ta_shadow(const void *addr)
{
	return (s8 *)kasan_mem_to_shadow(addr);
}

/* [@addr, @addr + @size), @addr granule-aligned, rounded up to granules. */
void ta_kasan_poison(const void *addr, size_t size, u8 value)
{
	s8 *s = ta_shadow(addr), *end = ta_shadow(addr + ALIGN(size, TA_KASAN_GRANULE));

	while (s < end)
		*s++ = (s8)value;
}

/* [@addr, @addr + @size) accessible, the rest of its last granule not. */
void ta_kasan_unpoison(const void *addr, size_t size)
{
	s8 *s = ta_shadow(addr);
	size_t full = size / TA_KASAN_GRANULE;

	while (full--)
		*s++ = 0;
	if (size % TA_KASAN_GRANULE)
		*s = size % TA_KASAN_GRANULE;
}

/*
 * The size of the live object at @obj in the block at @block, from the
 * shadow alone, or 0 if @obj is not the start of one.  Objects start at
 * granules, and one whose size is a multiple of the granule is followed
 * by a poisoned granule (tiny.c), so an object's granules are its full
 * ones and at most one partial one, and a granule right after a full one
 * never starts an object.
 */
size_t ta_kasan_object_size(const void *obj, const void *block,
			    size_t block_size)
{
	const s8 *s = ta_shadow(obj), *end = ta_shadow(block + block_size);
	size_t size = 0;

	if (!IS_ALIGNED((unsigned long)obj, TA_KASAN_GRANULE) || *s < 0)
		return 0;
	if (obj != block && s[-1] == 0)
		return 0;
	while (s < end && *s == 0) {
		size += TA_KASAN_GRANULE;
		s++;
	}
	if (s < end && *s > 0)
		size += *s;
	return size;
}
