// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/tinyalloc/: what operators watch.
 *
 *   stats  one "name value" pair per line, like /proc/vmstat
 *   cpus   one row per possible CPU of its tiny counters, under a header
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "core.h"

static struct dentry *ta_debugfs_dir;

static unsigned long ta_sum(enum ta_stat i)
{
	return ta_stat_sum(ta_main->stats, i);
}

static unsigned long ta_diff(enum ta_stat a, enum ta_stat b)
{
	return ta_sum(a) - ta_sum(b);
}

/**
 * ta_debugfs_stats_show() - print the stats file
 * @m: where to
 * @v: unused
 *
 * Return: 0.
 */
int ta_debugfs_stats_show(struct seq_file *m, void *v)
{
	struct ta_stats __percpu *g = ta_global_stats;
	unsigned long spans = ta_diff(TA_TINY_SPANS_ALLOC, TA_TINY_SPANS_FREED);

	seq_printf(m, "tiny_block_size %u\n", ta_main->block_size);
	seq_printf(m, "tiny_allocs %lu\n", ta_sum(TA_TINY_ALLOCS));
	seq_printf(m, "tiny_combined %lu\n", ta_sum(TA_TINY_COMBINED));
	seq_printf(m, "tiny_frees %lu\n", ta_sum(TA_TINY_FREES));
	seq_printf(m, "tiny_alloc_fails %lu\n", ta_sum(TA_TINY_ALLOC_FAILS));
	seq_printf(m, "tiny_blocks_taken %lu\n", ta_sum(TA_TINY_BLOCKS_TAKEN));
	seq_printf(m, "tiny_blocks_live %lu\n",
		   ta_diff(TA_TINY_BLOCKS_TAKEN, TA_TINY_BLOCKS_FREED));
	seq_printf(m, "tiny_objects_live %lu\n",
		   ta_diff(TA_TINY_ALLOCS, TA_TINY_FREES));
	seq_printf(m, "tiny_spans %lu\n", spans);
	seq_printf(m, "tiny_pages %lu\n", spans << ta_main->span_order);
	seq_printf(m, "kmalloc_allocs %lu\n",
		   ta_stat_sum(g, TA_KMALLOC_ALLOCS));
	seq_printf(m, "kmalloc_live %lu\n",
		   ta_stat_sum(g, TA_KMALLOC_ALLOCS) -
		   ta_stat_sum(g, TA_KMALLOC_FREES));
	seq_printf(m, "kmalloc_fails %lu\n", ta_stat_sum(g, TA_KMALLOC_FAILS));
	seq_printf(m, "invalid_frees %lu\n",
		   ta_sum(TA_INVALID_FREES) +
		   ta_stat_sum(g, TA_INVALID_FREES));
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_debugfs_stats_show);

static int stats_show(struct seq_file *m, void *v)
{
	return ta_debugfs_stats_show(m, v);
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * ta_debugfs_cpus_show() - print the cpus file
 * @m: where to
 * @v: unused
 *
 * Return: 0.
 */
int ta_debugfs_cpus_show(struct seq_file *m, void *v)
{
	static const enum ta_stat cols[] = {
		TA_TINY_ALLOCS, TA_TINY_COMBINED, TA_TINY_FREES,
		TA_TINY_BLOCKS_TAKEN, TA_TINY_BLOCKS_FREED,
		TA_TINY_SPANS_ALLOC, TA_TINY_SPANS_FREED,
	};
	unsigned int cpu, i;

	seq_puts(m, "cpu allocs combined frees blocks_taken blocks_freed spans_alloc spans_freed\n");
	for_each_possible_cpu(cpu) {
		seq_printf(m, "%u", cpu);
		for (i = 0; i < ARRAY_SIZE(cols); i++)
			seq_printf(m, " %lu",
				   ta_stat_cpu(ta_main->stats, cpu, cols[i]));
		seq_putc(m, '\n');
	}
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_debugfs_cpus_show);

static int cpus_show(struct seq_file *m, void *v)
{
	return ta_debugfs_cpus_show(m, v);
}
DEFINE_SHOW_ATTRIBUTE(cpus);

int ta_debugfs_init(void)
{
	/* debugfs is for watching: the allocator works without it. */
	ta_debugfs_dir = debugfs_create_dir("tinyalloc", NULL);
	debugfs_create_file("stats", 0444, ta_debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("cpus", 0444, ta_debugfs_dir, NULL, &cpus_fops);
	return 0;
}

void ta_debugfs_exit(void)
{
	debugfs_remove_recursive(ta_debugfs_dir);
}
