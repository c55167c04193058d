/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which per-CPU state a context allocates from.  Each CPU keeps two:
 * task context, except on PREEMPT_RT, uses its own with only preemption
 * off, since nothing else on the CPU touches it meanwhile: interrupts and
 * softirqs (and every context on PREEMPT_RT) use the other, under the
 * CPU's local lock, which turns IRQs off on !PREEMPT_RT.  So the fast
 * paths of task context save and restore no IRQ state, much as SLUB's
 * lockless fast path.
 */
#ifndef _TINYALLOC_CTX_H
#define _TINYALLOC_CTX_H

#include <linux/preempt.h>

enum ta_ctx {
	TA_CTX_TASK,		/* preemption off */
	TA_CTX_LOCKED,		/* under the local lock */
	TA_NR_CTX,
};

static __always_inline enum ta_ctx ta_ctx_current(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) && in_task() ?
	       TA_CTX_TASK : TA_CTX_LOCKED;
}

#endif /* _TINYALLOC_CTX_H */
