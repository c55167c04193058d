// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input from a caller is refused, counted and reported, never
 * WARNed about: a WARN is for tinyalloc's own broken invariants.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/printk.h>

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
