// SPDX-License-Identifier: GPL-2.0
/* Summing the per-CPU counters. */

#include <linux/cpumask.h>

#include "compat.h"
#include "stats.h"

/**
 * ta_stat_sum() - a counter summed over every possible CPU
 * @s: the counters
 * @i: which one
 *
 * Return: the sum; racy against concurrent updates, as /proc/vmstat is.
 */
unsigned long ta_stat_sum(struct ta_stats __percpu *s, enum ta_stat i)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += ta_stat_cpu(s, cpu, i);
	return sum;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stat_sum);

