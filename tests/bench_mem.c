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
 * blocks filled by Go's rule, no metadata).  Each run starts with every
 * allocator's caches empty; the order of the allocators rotates from
 * one repetition (at least 3) to the next; medians are reported.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "bench.h"
#include "core.h"
#include "each_cpu.h"

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

/*
 * Bytes of 16-byte blocks under Go's rule (runtime/malloc.go): pack in
 * order into one open block; an object that does not fit takes a fresh
 * block, which stays open only if it has more room left than the old one.
 */
static unsigned long go_rule_bytes(const struct mem_seq *s)
{
	unsigned long i, blocks = 0;
	unsigned int off = 0, at, size;
	bool open = false;

	for (i = 0; i < s->n; i++) {
		size = s->size[i];
		at = ALIGN(off, ta_tiny_align(size));
		if (open && at + size <= 16) {
			off = at + size;
			continue;
		}
		blocks++;
		if (!open || size < off) {
			off = size;
			open = true;
		}
	}
	return blocks * 16;
}

/*
 * tinyalloc's memory cases run on an instance made for the case, with
 * the module's policy and KASAN mode: spans kept empty by an earlier
 * case would serve this one without showing in its free-page count.
 */
static struct ta_tiny *mem_ta;

static __always_inline void *mem_alloc(enum bench_tiny a, size_t size)
{
	if (a == BENCH_TINYALLOC || a == BENCH_BESTFIT)
		return ta_tiny_alloc(mem_ta, size, GFP_KERNEL);
	return bench_tiny_alloc(a, size);
}

/* Pages of mem_ta's spans. */
static unsigned long mem_ta_pages(void)
{
	return (ta_stat_sum(mem_ta->stats, TA_TINY_SPANS_ALLOC) -
		ta_stat_sum(mem_ta->stats, TA_TINY_SPANS_FREED)) <<
	       mem_ta->span_order;
}

static int mem_ta_make(enum bench_tiny a)
{
	mem_ta = ta_tiny_create(16, false);
	if (IS_ERR(mem_ta))
		return PTR_ERR(mem_ta);
	mem_ta->nr_open = a == BENCH_BESTFIT ? TA_MAX_OPEN : ta_main->nr_open;
	ta_tiny_set_kasan(mem_ta, ta_main->kasan);
	return 0;
}

static void mem_ta_drain_cpu(void)
{
	ta_tiny_drain_local(mem_ta);
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
		obj[k] = mem_alloc(a, s->size[k]);
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

/* What one run of a sequence measures, in pages (own: bytes). */
struct mem_fig {
	long live, churn;
	unsigned long own, own_churn;
};

/*
 * Live, then after the churn.  Every allocator starts with nothing of
 * its own cached: slabs shrunk, page_frag drained, tinyalloc on a new
 * instance (its pages are all in the count, metadata and kept spans
 * included).
 */
static __always_inline int mem_one(enum bench_tiny a, const struct mem_seq *s,
				   void **obj, const u32 *idx,
				   struct mem_fig *f)
{
	unsigned long before, n90 = s->n * 9 / 10, i, ks = 0;
	bool ta = a == BENCH_TINYALLOC || a == BENCH_BESTFIT;
	int err;

	bench_drain_frags();
	bench_shrink_slabs();
	if (ta) {
		err = mem_ta_make(a);
		if (err)
			return err;
	}
	before = bench_free_pages();
	err = fill(a, s, obj, NULL, s->n);
	f->live = pages_since(before);
	if (a == BENCH_KMALLOC)
		for (i = 0; i < s->n; i++)
			ks += obj[i] ? ksize(obj[i]) : 0;
	f->own = ta ? mem_ta_pages() * PAGE_SIZE : ks;
	if (!err) {
		empty(a, obj, idx, n90);
		err = fill(a, s, obj, idx, n90);
		/* Spans and slabs freed after a grace period are back. */
		rcu_barrier();
		f->churn = pages_since(before);
		f->own_churn = ta ? mem_ta_pages() * PAGE_SIZE : 0;
	}
	empty(a, obj, NULL, s->n);
	if (ta) {
		if (run_on_each_cpu(mem_ta_drain_cpu))
			pr_warn("could not drain the memory case's instance\n");
		ta_tiny_destroy(mem_ta);
		mem_ta = NULL;
	}
	return err;
}

static int mem_run(enum bench_tiny a, const struct mem_seq *s, void **obj,
		   const u32 *idx, struct mem_fig *f)
{
	switch (a) {
	case BENCH_KMALLOC:
		return mem_one(BENCH_KMALLOC, s, obj, idx, f);
	case BENCH_KMEM_CACHE:
		return mem_one(BENCH_KMEM_CACHE, s, obj, idx, f);
	case BENCH_PAGE_FRAG:
		return mem_one(BENCH_PAGE_FRAG, s, obj, idx, f);
	case BENCH_BESTFIT:
		return mem_one(BENCH_BESTFIT, s, obj, idx, f);
	default:
		return mem_one(BENCH_TINYALLOC, s, obj, idx, f);
	}
}

/*
 * tinyalloc's own count of its pages must match the free-page count
 * within 1% (or a page, for the short runs of make check) in every
 * repetition: else the figures measure something else too.
 */
struct mem_agree {
	long pages, own_pages;	/* of the worst repetition */
	bool all;
};

static void mem_check(struct mem_agree *m, long pages, unsigned long own)
{
	long own_pages = own >> PAGE_SHIFT, tol = max(own_pages / 100, 1L);
	bool ok = abs(pages - own_pages) <= tol;

	if (!ok || m->all) {
		m->pages = pages;
		m->own_pages = own_pages;
	}
	m->all &= ok;
}

static void mem_check_report(const struct mem_seq *s, const char *alloc,
			     const char *when, const struct mem_agree *m)
{
	char what[48];

	snprintf(what, sizeof(what), "%s/%s", s->name, when);
	bench_report("check", what, alloc, "pages_counted", max(m->pages, 0L) * 100);
	bench_report("check", what, alloc, "pages_own", m->own_pages * 100);
	bench_report("check", what, alloc, "agree", m->all ? 100 : 0);
}

static int mem_case(const struct mem_seq *s)
{
	static const char * const own_metric[BENCH_NR_TINY] = {
		[BENCH_KMALLOC] = "ksize_bytes",
		[BENCH_TINYALLOC] = "own_page_bytes",
		[BENCH_BESTFIT] = "own_page_bytes",
	};
	static u64 live[BENCH_NR_TINY][BENCH_MAX_REPS];
	static u64 churn[BENCH_NR_TINY][BENCH_MAX_REPS];
	static u64 own[BENCH_NR_TINY][BENCH_MAX_REPS];
	struct mem_agree agree[BENCH_NR_TINY][2];
	unsigned int reps = bench_quick ? 1 : max(bench_reps, 3U);
	unsigned long raw = 0, i;
	struct mem_fig f;
	unsigned int r, k, a;
	void **obj;
	u32 *idx;
	int err = 0;

	reps = min_t(unsigned int, reps, BENCH_MAX_REPS);
	obj = kvcalloc(s->n, sizeof(*obj), GFP_KERNEL);
	idx = kvcalloc(s->n, sizeof(*idx), GFP_KERNEL);
	if (!obj || !idx) {
		err = -ENOMEM;
		goto out;
	}
	for (a = 0; a < BENCH_NR_TINY; a++) {
		agree[a][0].all = true;
		agree[a][1].all = true;
	}
	bench_shuffle(idx, s->n, 3);
	for (i = 0; i < s->n; i++)
		raw += s->size[i];
	bench_report("mem", s->name, "raw", "live_bytes", raw * 100);
	bench_report("mem", s->name, "raw", "objects", s->n * 100);
	bench_report("mem", s->name, "go_rule", "live_bytes",
		     go_rule_bytes(s) * 100);
	for (r = 0; r < reps && !err; r++) {
		for (k = 0; k < BENCH_NR_TINY && !err; k++) {
			a = bench_rotate(k, r, BENCH_NR_TINY);
			memset(&f, 0, sizeof(f));
			err = mem_run(a, s, obj, idx, &f);
			live[a][r] = max(f.live, 0L) * PAGE_SIZE;
			churn[a][r] = max(f.churn, 0L) * PAGE_SIZE;
			own[a][r] = f.own;
			if (a == BENCH_TINYALLOC || a == BENCH_BESTFIT) {
				mem_check(&agree[a][0], f.live, f.own);
				mem_check(&agree[a][1], f.churn, f.own_churn);
			}
			cond_resched();
		}
	}
	for (a = 0; a < BENCH_NR_TINY && !err; a++) {
		bench_report("mem", s->name, bench_tiny_names[a], "live_bytes",
			     bench_median(live[a], reps) * 100);
		bench_report("mem", s->name, bench_tiny_names[a], "churn_bytes",
			     bench_median(churn[a], reps) * 100);
		if (own_metric[a])
			bench_report("mem", s->name, bench_tiny_names[a],
				     own_metric[a],
				     bench_median(own[a], reps) * 100);
		if (a == BENCH_TINYALLOC || a == BENCH_BESTFIT) {
			mem_check_report(s, bench_tiny_names[a], "live",
					 &agree[a][0]);
			mem_check_report(s, bench_tiny_names[a], "churn",
					 &agree[a][1]);
		}
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
