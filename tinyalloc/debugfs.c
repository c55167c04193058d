// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/tinyalloc/: what operators watch.
 *
 *   stats   one "name value" pair per line, like /proc/vmstat
 *   cpus    one row per possible CPU of its tiny counters, under a header
 *   stacks  one row per stack order, then one per large free list
 *   nodes   one row per online NUMA node: the spans whose pages are there
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "core.h"
#include "report.h"
#include "spanmap.h"

static struct dentry *ta_debugfs_dir;

static unsigned long ta_sum(enum ta_stat i)
{
	return ta_stat_sum(ta_main->stats, i);
}

static unsigned long ta_diff(enum ta_stat a, enum ta_stat b)
{
	return ta_sum(a) - ta_sum(b);
}

static unsigned long ta_ssum(enum ta_stat i)
{
	return ta_stat_sum(ta_stacks->stats, i);
}

static unsigned long ta_sdiff(enum ta_stat a, enum ta_stat b)
{
	return ta_ssum(a) - ta_ssum(b);
}

static void ta_stack_stats_show(struct seq_file *m)
{
	unsigned long spans = ta_sdiff(TA_STACK_SPANS_ALLOC,
				       TA_STACK_SPANS_FREED);
	unsigned long large_pages = ta_sdiff(TA_STACK_LARGE_PAGES,
					     TA_STACK_LARGE_PAGES_FREED);
	unsigned long cached = 0;
	unsigned int i;

	for (i = 0; i < TA_STACK_LARGE_LISTS; i++)
		cached += READ_ONCE(ta_stacks->large_cached[i]);
	seq_printf(m, "stack_fixed %u\n", ta_stacks->fixed);
	seq_printf(m, "stack_allocs %lu\n", ta_ssum(TA_STACK_ALLOCS));
	seq_printf(m, "stack_frees %lu\n", ta_ssum(TA_STACK_FREES));
	seq_printf(m, "stack_remote_frees %lu\n",
		   ta_ssum(TA_STACK_REMOTE_FREES));
	seq_printf(m, "stack_live %lu\n",
		   ta_sdiff(TA_STACK_ALLOCS, TA_STACK_FREES));
	seq_printf(m, "stack_alloc_fails %lu\n", ta_ssum(TA_STACK_ALLOC_FAILS));
	seq_printf(m, "stack_bad_requests %lu\n",
		   ta_ssum(TA_STACK_BAD_REQUESTS));
	seq_printf(m, "stack_spans %lu\n", spans);
	seq_printf(m, "stack_pages %lu\n",
		   ta_sdiff(TA_STACK_SPAN_PAGES, TA_STACK_SPAN_PAGES_FREED) +
		   large_pages);
	seq_printf(m, "stack_large_live %lu\n",
		   ta_sdiff(TA_STACK_LARGE_ALLOCS, TA_STACK_LARGE_FREES));
	seq_printf(m, "stack_large_cached %lu\n", cached);
	seq_printf(m, "stack_large_reused %lu\n",
		   ta_ssum(TA_STACK_LARGE_REUSED));
	seq_printf(m, "stack_large_released %lu\n",
		   ta_ssum(TA_STACK_LARGE_RELEASED));
	seq_printf(m, "stack_invalid_frees %lu\n",
		   ta_ssum(TA_STACK_INVALID_FREES) +
		   ta_stat_sum(ta_global_stats, TA_STACK_INVALID_FREES));
	seq_printf(m, "stack_overflows %lu\n", ta_ssum(TA_STACK_OVERFLOWS));
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
	seq_printf(m, "tiny_policy %s\n",
		   ta_main->nr_open > 1 ? "bestfit" : "go");
	seq_printf(m, "tiny_allocs %lu\n", ta_sum(TA_TINY_ALLOCS));
	seq_printf(m, "tiny_combined %lu\n", ta_sum(TA_TINY_COMBINED));
	seq_printf(m, "tiny_frees %lu\n", ta_sum(TA_TINY_FREES));
	seq_printf(m, "tiny_remote_frees %lu\n", ta_sum(TA_TINY_REMOTE_FREES));
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
	seq_printf(m, "own_pages_live %lu\n",
		   ta_stat_sum(g, TA_KMALLOC_OWN_PAGES) -
		   ta_stat_sum(g, TA_KMALLOC_OWN_PAGES_FREED));
	seq_printf(m, "invalid_frees %lu\n",
		   ta_sum(TA_INVALID_FREES) +
		   ta_stat_sum(g, TA_INVALID_FREES));
	seq_printf(m, "invalid_sizes %lu\n", ta_invalid_sizes());
	ta_stack_stats_show(m);
	seq_printf(m, "nmi_refused %lu\n", ta_nmi_refused());
	seq_printf(m, "span_map_refused %lu\n", ta_span_map_refused());
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

	seq_puts(m, "cpu allocs combined frees blocks_taken blocks_freed spans_alloc spans_freed node\n");
	for_each_possible_cpu(cpu) {
		seq_printf(m, "%u", cpu);
		for (i = 0; i < ARRAY_SIZE(cols); i++)
			seq_printf(m, " %lu",
				   ta_stat_cpu(ta_main->stats, cpu, cols[i]));
		/* The node its spans and stacks come from. */
		seq_printf(m, " %d\n", cpu_to_mem(cpu));
	}
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_debugfs_cpus_show);

static int cpus_show(struct seq_file *m, void *v)
{
	return ta_debugfs_cpus_show(m, v);
}
DEFINE_SHOW_ATTRIBUTE(cpus);

/**
 * ta_debugfs_stacks_show() - print the stacks file
 * @m: where to
 * @v: unused
 *
 * Return: 0.
 */
int ta_debugfs_stacks_show(struct seq_file *m, void *v)
{
	struct ta_stack *st = ta_stacks;
	unsigned long allocs, frees;
	unsigned int order, cpu, i, x;

	seq_puts(m, "order size spans free_in_pool cached live allocs frees\n");
	for (order = 0; order < TA_STACK_ORDERS; order++) {
		allocs = 0;
		frees = 0;
		for_each_possible_cpu(cpu) {
			struct ta_stack_order_stats *os =
				per_cpu_ptr(st->order_stats, cpu);

			for (x = 0; x < TA_NR_CTX; x++) {
				allocs += READ_ONCE(os->allocs[x][order]);
				frees += READ_ONCE(os->frees[x][order]);
			}
		}
		seq_printf(m, "%u %u %lu %lu %lu %lu %lu %lu\n", order,
			   st->fixed << order,
			   ta_stack_spans(st, NUMA_NO_NODE, order),
			   ta_stack_pooled(st, order),
			   ta_stack_cached(st, order), allocs - frees, allocs,
			   frees);
	}
	seq_puts(m, "large_log2_pages cached\n");
	for (i = get_order(st->fixed << TA_STACK_ORDERS);
	     i < TA_STACK_LARGE_LISTS; i++)
		seq_printf(m, "%u %lu\n", i, READ_ONCE(st->large_cached[i]));
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_debugfs_stacks_show);

static int stacks_show(struct seq_file *m, void *v)
{
	return ta_debugfs_stacks_show(m, v);
}
DEFINE_SHOW_ATTRIBUTE(stacks);

/**
 * ta_debugfs_nodes_show() - print the nodes file
 * @m: where to
 * @v: unused
 *
 * Return: 0.
 */
int ta_debugfs_nodes_show(struct seq_file *m, void *v)
{
	unsigned int order;
	int node;

	seq_puts(m, "node tiny_spans");
	for (order = 0; order < TA_STACK_ORDERS; order++)
		seq_printf(m, " stack_spans_%u", ta_stacks->fixed << order);
	seq_putc(m, '\n');
	for_each_online_node(node) {
		seq_printf(m, "%d %ld", node,
			   atomic_long_read(&ta_main->nodes[node].nr_spans));
		for (order = 0; order < TA_STACK_ORDERS; order++)
			seq_printf(m, " %lu",
				   ta_stack_spans(ta_stacks, node, order));
		seq_putc(m, '\n');
	}
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_debugfs_nodes_show);

static int nodes_show(struct seq_file *m, void *v)
{
	return ta_debugfs_nodes_show(m, v);
}
DEFINE_SHOW_ATTRIBUTE(nodes);

void ta_debugfs_init(void)
{
	/* debugfs is for watching: the allocator works without it. */
	ta_debugfs_dir = debugfs_create_dir("tinyalloc", NULL);
	debugfs_create_file("stats", 0444, ta_debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("cpus", 0444, ta_debugfs_dir, NULL, &cpus_fops);
	debugfs_create_file("stacks", 0444, ta_debugfs_dir, NULL,
			    &stacks_fops);
	debugfs_create_file("nodes", 0444, ta_debugfs_dir, NULL, &nodes_fops);
}

void ta_debugfs_exit(void)
{
	debugfs_remove_recursive(ta_debugfs_dir);
}
