/* SPDX-License-Identifier: GPL-2.0 */
/* The module-wide state behind the exported API. */
#ifndef _TINYALLOC_CORE_H
#define _TINYALLOC_CORE_H

#include "stats.h"
#include "stack.h"
#include "tiny.h"

/* The instance tinyalloc_alloc() uses. */
extern struct ta_tiny *ta_main;
/* The stack instance tinyalloc_stack_alloc() uses. */
extern struct ta_stack *ta_stacks;
/* Counters of the kmalloc path and of frees no instance claims. */
extern struct ta_stats __percpu *ta_global_stats;

struct ta_stats __percpu *ta_global_stats_get(void);
void *ta_alloc_from(struct ta_tiny *ta, size_t size, gfp_t gfp);
void *ta_alloc_track_caller(size_t size, gfp_t gfp, unsigned long ip);
struct shrinker *ta_shrinker_get(void);
int ta_scavenge_init(unsigned int period_ms);
void ta_scavenge_exit(void);
struct seq_file;
int ta_debugfs_stats_show(struct seq_file *m, void *v);
int ta_debugfs_cpus_show(struct seq_file *m, void *v);
int ta_debugfs_stacks_show(struct seq_file *m, void *v);
int ta_debugfs_nodes_show(struct seq_file *m, void *v);
void ta_debugfs_init(void);
void ta_debugfs_exit(void);

#endif /* _TINYALLOC_CORE_H */
