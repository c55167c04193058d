// SPDX-License-Identifier: GPL-2.0
/*
 * Copies of strings and memory into tinyalloc objects: kstrdup() and
 * friends for callers whose strings and keys are mostly shorter than a
 * tiny block.  Freed with tinyalloc_free().  The tiny_alloc event names
 * their caller, as kmem:kmalloc names kstrdup()'s.
 */

#include <linux/export.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"
#include "tinyalloc.h"

char *tinyalloc_kstrdup_noprof(const char *s, gfp_t gfp)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	p = ta_alloc_track_caller(len, gfp, _RET_IP_);
	if (p)
		memcpy(p, s, len);
	return p;
}
EXPORT_SYMBOL_GPL(tinyalloc_kstrdup_noprof);

char *tinyalloc_kstrndup_noprof(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	p = ta_alloc_track_caller(len + 1, gfp, _RET_IP_);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
EXPORT_SYMBOL_GPL(tinyalloc_kstrndup_noprof);

void *tinyalloc_kmemdup_noprof(const void *src, size_t len, gfp_t gfp)
{
	void *p = ta_alloc_track_caller(len, gfp, _RET_IP_);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}
EXPORT_SYMBOL_GPL(tinyalloc_kmemdup_noprof);
