// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: what each tiny allocator takes for a sequence of sizes, metadata
 * included, measured the same way for all: free pages (with the per-CPU
 * lists) before and after.  Then a churn: free a random 90% and allocate
 * the same sizes again, and measure what each holds.
 *
 * Sequences (one byte per size, read from files the bench script writes):
 *   codejson  the string values shorter than 16 bytes of Go's json
 *             benchmark document, in order, replayed 100 times
 *   boot      the kmalloc requests under 16 bytes of a Debian 6.12 boot,
 *             in order, replayed to 200k
 *   short     uniform 1..7 bytes, 200k (made here)
 * Reference rows: "raw" (the bytes asked for) and "go_rule" (16-byte
 * blocks filled with Go's alignment rule, no metadata).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "bench.h"
#include "core.h"

static char *seq_codejson = "/modules/codejson.seq";
module_param(seq_codejson, charp, 0444);
MODULE_PARM_DESC(seq_codejson, "file of code.json's string sizes, one byte each");

static char *seq_boot = "/modules/boot.seq";
module_param(seq_boot, charp, 0444);
MODULE_PARM_DESC(seq_boot, "file of a boot's kmalloc sizes under 16, one byte each");

#define MEM_SEQ_MAX	SZ_1M

struct mem_seq {
	const char *name;
	u8 *size;
	unsigned long n;
};

/* Bytes of 16-byte blocks under Go's rule: pack in order, one open block. */
static unsigned long go_rule_bytes(const struct mem_seq *s)
{
	unsigned long i, blocks = 0;
	unsigned int off = 16;

	for (i = 0; i < s->n; i++) {
		off = ALIGN(off, ta_tiny_align(s->size[i]));
		if (off + s->size[i] > 16) {
			blocks++;
			off = 0;
		}
		off += s->size[i];
	}
	return blocks * 16;
}

/* Pages of a tinyalloc instance's spans: BENCH_TINYALLOC or BENCH_BESTFIT. */
static unsigned long tinyalloc_pages(enum bench_tiny a)
{
	struct ta_tiny *ta = a == BENCH_BESTFIT ? bench_bestfit : ta_main;

	return (ta_stat_sum(ta->stats, TA_TINY_SPANS_ALLOC) -
		ta_stat_sum(ta->stats, TA_TINY_SPANS_FREED)) << ta->span_order;
}

/* Pages taken since @before; the allocator may have given some back. */
static long pages_since(unsigned long before)
{
	return (long)before - (long)bench_free_pages();
}

static __always_inline int fill(enum bench_tiny a, const struct mem_seq *s,
				void **obj, const u32 *idx, unsigned long n)
{
	unsigned long i, k;

	for (i = 0; i < n; i++) {
		k = idx ? idx[i] : i;
		obj[k] = bench_tiny_alloc(a, s->size[k]);
		if (!obj[k])
			return -ENOMEM;
		memset(obj[k], k, s->size[k]);
	}
	return 0;
}

static __always_inline void empty(enum bench_tiny a, void **obj,
				  const u32 *idx, unsigned long n)
{
	unsigned long i, k;

	for (i = 0; i < n; i++) {
		k = idx ? idx[i] : i;
		if (obj[k])
			bench_tiny_free(a, obj[k]);
		obj[k] = NULL;
	}
}

/* Live, then after the churn (pages); each allocator starts drained. */
static __always_inline int mem_one(enum bench_tiny a, const struct mem_seq *s,
				   void **obj, const u32 *idx, long *live,
				   long *churn, unsigned long *own)
{
	unsigned long before = bench_free_pages(), n90 = s->n * 9 / 10, i;
	unsigned long ta_before = tinyalloc_pages(a), ks = 0;
	int err;

	err = fill(a, s, obj, NULL, s->n);
	*live = pages_since(before);
	if (a == BENCH_KMALLOC)
		for (i = 0; i < s->n; i++)
			ks += obj[i] ? ksize(obj[i]) : 0;
	if (a == BENCH_TINYALLOC || a == BENCH_BESTFIT)
		*own = (tinyalloc_pages(a) - ta_before) * PAGE_SIZE;
	else
		*own = ks;
	if (!err) {
		empty(a, obj, idx, n90);
		err = fill(a, s, obj, idx, n90);
		*churn = pages_since(before);
	}
	empty(a, obj, NULL, s->n);
	bench_drain_frags();
	bench_drain_tiny();
	return err;
}

static int mem_case(const struct mem_seq *s)
{
	static const char * const own_metric[BENCH_NR_TINY] = {
		[BENCH_KMALLOC] = "ksize_bytes",
		[BENCH_TINYALLOC] = "own_page_bytes",
		[BENCH_BESTFIT] = "own_page_bytes",
	};
	unsigned long raw = 0, i;
	long live, churn;
	unsigned long own;
	void **obj;
	u32 *idx;
	int a, err = 0;

	obj = kvcalloc(s->n, sizeof(*obj), GFP_KERNEL);
	idx = kvcalloc(s->n, sizeof(*idx), GFP_KERNEL);
	if (!obj || !idx) {
		err = -ENOMEM;
		goto out;
	}
	bench_shuffle(idx, s->n, 3);
	for (i = 0; i < s->n; i++)
		raw += s->size[i];
	bench_report("mem", s->name, "raw", "live_bytes", raw * 100);
	bench_report("mem", s->name, "raw", "objects", s->n * 100);
	bench_report("mem", s->name, "go_rule", "live_bytes",
		     go_rule_bytes(s) * 100);
	for (a = 0; a < BENCH_NR_TINY && !err; a++) {
		switch (a) {
		case BENCH_KMALLOC:
			err = mem_one(BENCH_KMALLOC, s, obj, idx, &live, &churn, &own);
			break;
		case BENCH_KMEM_CACHE:
			err = mem_one(BENCH_KMEM_CACHE, s, obj, idx, &live, &churn, &own);
			break;
		case BENCH_PAGE_FRAG:
			err = mem_one(BENCH_PAGE_FRAG, s, obj, idx, &live, &churn, &own);
			break;
		case BENCH_BESTFIT:
			err = mem_one(BENCH_BESTFIT, s, obj, idx, &live, &churn, &own);
			break;
		default:
			err = mem_one(BENCH_TINYALLOC, s, obj, idx, &live, &churn, &own);
		}
		bench_report("mem", s->name, bench_tiny_names[a], "live_bytes",
			     max(live, 0L) * PAGE_SIZE * 100);
		bench_report("mem", s->name, bench_tiny_names[a], "churn_bytes",
			     max(churn, 0L) * PAGE_SIZE * 100);
		if (own_metric[a])
			bench_report("mem", s->name, bench_tiny_names[a],
				     own_metric[a], own * 100);
	}
out:
	kvfree(idx);
	kvfree(obj);
	return err;
}

/*
 * Up to MEM_SEQ_MAX bytes of @path into a vmalloc()ed *@bufp.  A plain
 * read: kernel_read_file() would ask the LSMs, and Debian's IPE warns of
 * a read it has no rule for.
 */
static ssize_t seq_read(const char *path, void **bufp)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	ssize_t got = 0, len = 0;
	loff_t pos = 0;
	char *buf;

	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = vmalloc(MEM_SEQ_MAX);
	while (buf && len < MEM_SEQ_MAX) {
		got = kernel_read(f, buf + len, MEM_SEQ_MAX - len, &pos);
		if (got <= 0)
			break;
		len += got;
	}
	filp_close(f, NULL);
	if (!buf || got < 0) {
		vfree(buf);
		return buf ? got : -ENOMEM;
	}
	*bufp = buf;
	return len;
}

/* Read @path and repeat its sizes to @n objects (or @times times). */
static int seq_from_file(struct mem_seq *s, const char *path,
			 unsigned long n, unsigned int times)
{
	void *buf = NULL;
	ssize_t got;
	unsigned long i;

	got = seq_read(path, &buf);
	if (got <= 0) {
		vfree(buf);
		pr_info("%s: no sequence at %s (%zd), skipped\n", s->name, path, got);
		return -ENOENT;
	}
	if (times)
		n = got * times;
	if (bench_quick)
		n = min(n, 1000UL);
	s->size = kvmalloc(n, GFP_KERNEL);
	if (!s->size) {
		vfree(buf);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		s->size[i] = clamp_t(u8, ((u8 *)buf)[i % got], 1, 15);
	s->n = n;
	vfree(buf);
	return 0;
}

static int seq_short(struct mem_seq *s)
{
	struct rnd_state rnd;
	unsigned long i;

	s->n = bench_quick ? 1000 : 200000;
	s->size = kvmalloc(s->n, GFP_KERNEL);
	if (!s->size)
		return -ENOMEM;
	prandom_seed_state(&rnd, 7);
	for (i = 0; i < s->n; i++)
		s->size[i] = 1 + prandom_u32_state(&rnd) % 7;
	return 0;
}

/**
 * bench_mem_run() - the memory cases, on every sequence there is
 *
 * Return: 0, or -ENOMEM if an allocation failed.
 */
int bench_mem_run(void)
{
	struct mem_seq seq[3] = {
		{ .name = "seq=codejson" }, { .name = "seq=boot" },
		{ .name = "seq=short" },
	};
	int i, err = 0, have[3];

	have[0] = seq_from_file(&seq[0], seq_codejson, 0, 100);
	have[1] = seq_from_file(&seq[1], seq_boot, 200000, 0);
	have[2] = seq_short(&seq[2]);
	for (i = 0; i < 3; i++) {
		if (have[i] == -ENOMEM)
			err = -ENOMEM;
		if (!have[i] && !err)
			err = mem_case(&seq[i]);
		kvfree(seq[i].size);
	}
	return err;
}
