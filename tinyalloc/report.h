/* SPDX-License-Identifier: GPL-2.0 */
/* Reports of bad input from callers: a counter and a rate-limited error. */
#ifndef _TINYALLOC_REPORT_H
#define _TINYALLOC_REPORT_H

#include "stats.h"

void ta_report_invalid(struct ta_stats __percpu *stats, const void *obj,
		       unsigned long ip, const char *why);
void ta_report_invalid_stack(struct ta_stats __percpu *stats, unsigned long lo,
			     unsigned long ip, const char *why);

void ta_report_size(const void *obj, unsigned long ip, const char *why);
unsigned long ta_invalid_sizes(void);

void ta_report_nmi(const char *what, unsigned long ip);
unsigned long ta_nmi_refused(void);

#endif /* _TINYALLOC_REPORT_H */
