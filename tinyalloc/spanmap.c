// SPDX-License-Identifier: GPL-2.0
/*
 * The span map (spanmap.h): a bit per 32 KiB of the direct map, 4 MiB per
 * TiB of memory, vmalloc-ed at load.
 */

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "spanmap.h"

struct ta_span_map ta_span_map __read_mostly;

static unsigned long ta_span_map_index(const void *span)
{
	return ((unsigned long)span - PAGE_OFFSET) >> TA_SPAN_SHIFT;
}

/**
 * ta_span_map_init() - size the map for the direct map, all clear
 *
 * Return: 0 or -ENOMEM.
 */
int ta_span_map_init(void)
{
	unsigned long nr = ta_span_map_index(high_memory - 1) + 1;

	ta_span_map.bits = kvcalloc(BITS_TO_LONGS(nr), sizeof(long),
				    GFP_KERNEL);
	if (!ta_span_map.bits)
		return -ENOMEM;
	ta_span_map.nr = nr;
	return 0;
}

/** ta_span_map_exit() - free the map, once no span is left */
void ta_span_map_exit(void)
{
	WARN_ON(!bitmap_empty(ta_span_map.bits, ta_span_map.nr));
	kvfree(ta_span_map.bits);
	ta_span_map.bits = NULL;
	ta_span_map.nr = 0;
}

/**
 * ta_span_map_set() - publish a span, its header built
 * @span: its address, aligned to a span
 *
 * Return: false if @span is beyond the map (memory added since load): it
 * cannot be a span.
 */
bool ta_span_map_set(const void *span)
{
	unsigned long i = ta_span_map_index(span);

	if (i >= ta_span_map.nr)
		return false;
	/* The header before the bit: ta_span_map_test() acquires. */
	smp_mb__before_atomic();
	set_bit(i, ta_span_map.bits);
	return true;
}

/**
 * ta_span_map_clear() - unpublish a span
 * @span: a span ta_span_map_set() published
 */
void ta_span_map_clear(const void *span)
{
	clear_bit(ta_span_map_index(span), ta_span_map.bits);
}
