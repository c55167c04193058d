/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Work on every online CPU, for the test modules:
 * run_on_each_cpu() runs a function on each CPU in process context (a
 * work item bound to each, all flushed): a drain needs this on PREEMPT_RT,
 * where the locks it takes sleep and may not be taken in on_each_cpu()'s
 * IPI.  start_on_cpus() starts one bound kthread per CPU, all or none.
 * Static inline, so that each file has its own copy.
 */
#ifndef _TINYALLOC_EACH_CPU_H
#define _TINYALLOC_EACH_CPU_H

#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

struct each_cpu_work {
	struct work_struct work;
	void (*fn)(void);
};

static inline void each_cpu_work_fn(struct work_struct *work)
{
	container_of(work, struct each_cpu_work, work)->fn();
}

/* Return 0, or -ENOMEM if the work items could not be allocated. */
static inline int run_on_each_cpu(void (*fn)(void))
{
	struct each_cpu_work *w = kcalloc(nr_cpu_ids, sizeof(*w), GFP_KERNEL);
	unsigned int cpu;

	if (!w)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		INIT_WORK(&w[cpu].work, each_cpu_work_fn);
		w[cpu].fn = fn;
		queue_work_on(cpu, system_wq, &w[cpu].work);
	}
	for_each_online_cpu(cpu)
		flush_work(&w[cpu].work);
	cpus_read_unlock();
	kfree(w);
	return 0;
}

/*
 * Start @fn(@arg) in a kthread named "@name/CPU" bound to each of the first
 * @nr online CPUs (@t has room for them), all or none: workers that meet
 * at a barrier would wait forever for one that never started.  Call under
 * cpus_read_lock().  Return 0 or the errno of the kthread that failed.
 */
static inline int start_on_cpus(int (*fn)(void *), void *arg, unsigned int nr,
				const char *name, struct task_struct **t)
{
	unsigned int cpu, i = 0;
	int err = 0;

	for_each_online_cpu(cpu) {
		if (i == nr)
			break;
		t[i] = kthread_create(fn, arg, "%s/%u", name, cpu);
		if (IS_ERR(t[i])) {
			err = PTR_ERR(t[i]);
			break;
		}
		kthread_bind(t[i++], cpu);
	}
	while (i--) {
		if (err)
			kthread_stop(t[i]);
		else
			wake_up_process(t[i]);
	}
	return err;
}

#endif /* _TINYALLOC_EACH_CPU_H */
