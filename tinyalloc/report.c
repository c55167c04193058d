// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input from a caller is refused, counted and reported, never
 * WARNed about: a WARN is for tinyalloc's own broken invariants.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/atomic.h>
#include <linux/printk.h>

#include "compat.h"
#include "report.h"

void ta_report_invalid(struct ta_stats __percpu *stats, const void *obj,
		       unsigned long ip, const char *why)
{
	ta_stat_inc(stats, TA_INVALID_FREES);
	pr_err_ratelimited("invalid free of %p (%pS): %s\n", obj, (void *)ip,
			   why);
}

void ta_report_invalid_stack(struct ta_stats __percpu *stats, unsigned long lo,
			     unsigned long ip, const char *why)
{
	ta_stat_inc(stats, TA_STACK_INVALID_FREES);
	pr_err_ratelimited("invalid stack free of %p (%pS): %s\n", (void *)lo,
			   (void *)ip, why);
}

/* tinyalloc_size() calls refused, in any context: an atomic counts them. */
static atomic_long_t ta_size_calls;

void ta_report_size(const void *obj, unsigned long ip, const char *why)
{
	atomic_long_inc(&ta_size_calls);
	pr_err_ratelimited("tinyalloc_size(%p) refused (%pS): %s\n", obj,
			   (void *)ip, why);
}

/**
 * ta_invalid_sizes() - tinyalloc_size() calls refused
 *
 * Return: how many, since the module was loaded.
 */
unsigned long ta_invalid_sizes(void)
{
	return atomic_long_read(&ta_size_calls);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_invalid_sizes);

/*
 * An NMI may interrupt tinyalloc holding its locks: calls from one are
 * refused before they touch anything.  An atomic counts them, as a
 * per-CPU slot could be in the middle of an update the NMI interrupted.
 */
static atomic_long_t ta_nmi_calls;

void ta_report_nmi(const char *what, unsigned long ip)
{
	atomic_long_inc(&ta_nmi_calls);
	pr_err_ratelimited("%s from NMI refused (%pS)\n", what, (void *)ip);
}

/**
 * ta_nmi_refused() - calls refused because they came from an NMI
 *
 * Return: how many, since the module was loaded.
 */
unsigned long ta_nmi_refused(void)
{
	return atomic_long_read(&ta_nmi_calls);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_nmi_refused);
