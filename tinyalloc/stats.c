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

/**
 * ta_stat_combined_cpu() - tiny objects a CPU put into an open block
 * @s: the counters
 * @cpu: which CPU
 *
 * Objects not at a block's start: the allocations less the blocks taken
 * and the open blocks started again (the fast path counts no more).
 *
 * Return: the count; racy as ta_stat_sum(), never below 0 (an allocation
 * counts its block's start first: a reader in between sees one fewer).
 */
unsigned long ta_stat_combined_cpu(struct ta_stats __percpu *s,
				   unsigned int cpu)
{
	unsigned long allocs = ta_stat_cpu(s, cpu, TA_TINY_ALLOCS);
	unsigned long starts = ta_stat_cpu(s, cpu, TA_TINY_BLOCKS_TAKEN) +
			       ta_stat_cpu(s, cpu, TA_TINY_RESTARTS);

	return allocs > starts ? allocs - starts : 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stat_combined_cpu);

/**
 * ta_stat_combined() - tiny objects put into an open block, all CPUs
 * @s: the counters
 *
 * Return: the sum of ta_stat_combined_cpu().
 */
unsigned long ta_stat_combined(struct ta_stats __percpu *s)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += ta_stat_combined_cpu(s, cpu);
	return sum;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stat_combined);
