/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tinyalloc: Go-style tiny-object combining for kernel modules.
 *
 * Pointer-free requests smaller than the tiny block size are packed into
 * one block per CPU, so a 3-byte string costs 3 bytes, not kmalloc-8's 8.
 * Larger requests are served by kmalloc, so callers can use one pair of
 * functions for any size.
 */
#ifndef _TINYALLOC_H
#define _TINYALLOC_H

#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/slab.h>		/* <linux/cleanup.h> where the kernel has it */
#include <linux/types.h>

/**
 * DOC: Allocation profiling
 *
 * Since 6.10, where the kernel has alloc_hooks() (with or without
 * CONFIG_MEM_ALLOC_PROFILING), the functions that allocate are macros, as
 * kmalloc() is, that tag the caller's line around a function of the same
 * name ending in ``_noprof``, exported under that name: with profiling
 * on, /proc/allocinfo charges a kmalloc-backed object, and the pages of a
 * stack of its own, to the client's file and line.  A client that needs
 * a function's address (a callback) takes the ``_noprof`` one, whose
 * memory is then charged to tinyalloc's lines.  Tiny
 * blocks, pool stacks and large stacks share pages that outlive the
 * caller that made tinyalloc ask for them (a span serves many callers, a
 * freed large stack is kept for the next one), so those pages stay under
 * tinyalloc's own lines.  What a client leaked is left allocated at
 * tinyalloc's unload where the kernel has profiling (its lines are gone).
 * Before 6.10 (no alloc_hooks()) they are plain functions, exported
 * under their own names.
 */
#ifdef alloc_hooks
#define tinyalloc_alloc(...)	alloc_hooks(tinyalloc_alloc_noprof(__VA_ARGS__))
#define tinyalloc_alloc_node(...)					\
	alloc_hooks(tinyalloc_alloc_node_noprof(__VA_ARGS__))
#define tinyalloc_kstrdup(...)	alloc_hooks(tinyalloc_kstrdup_noprof(__VA_ARGS__))
#define tinyalloc_kstrndup(...)						\
	alloc_hooks(tinyalloc_kstrndup_noprof(__VA_ARGS__))
#define tinyalloc_kmemdup(...)	alloc_hooks(tinyalloc_kmemdup_noprof(__VA_ARGS__))
#define tinyalloc_stack_alloc(...)					\
	alloc_hooks(tinyalloc_stack_alloc_noprof(__VA_ARGS__))
#else
#define tinyalloc_alloc_noprof		tinyalloc_alloc
#define tinyalloc_alloc_node_noprof	tinyalloc_alloc_node
#define tinyalloc_kstrdup_noprof	tinyalloc_kstrdup
#define tinyalloc_kstrndup_noprof	tinyalloc_kstrndup
#define tinyalloc_kmemdup_noprof	tinyalloc_kmemdup
#define tinyalloc_stack_alloc_noprof	tinyalloc_stack_alloc
#endif

/**
 * tinyalloc_alloc() - allocate an object
 * @size: size in bytes
 * @gfp: allocation flags, as for kmalloc; GFP_ATOMIC or GFP_NOWAIT work
 *       from any context, hard IRQ included (on PREEMPT_RT, as with
 *       kmalloc, not from a non-threaded hard IRQ)
 *
 * A request smaller than tinyalloc_tiny_block_size() is combined with
 * other tiny requests of the calling CPU into one block, at an offset
 * aligned by Go's rule: 8 if @size is a multiple of 8, else 4 if a
 * multiple of 4, else 2 if even, else 1.  The memory must not hold
 * pointers that need the object to stay alone in its block, and is only
 * for the caller.  Larger requests come from kmalloc, and so do tiny ones
 * whose @gfp asks for what a shared block cannot give (__GFP_ACCOUNT,
 * __GFP_NOFAIL, __GFP_DMA) or when no span can be had.  A __GFP_DMA32
 * request, which kmalloc cannot serve, gets pages of its own in
 * ZONE_DMA32 (where the kernel has that zone, and @gfp no __GFP_DMA).
 * __GFP_HIGHMEM and __GFP_MOVABLE are ignored: objects need an address
 * and never move.  A __GFP_NOFAIL request of more than two pages with
 * the header, where @gfp may sleep, is retried by tinyalloc rather than
 * by the page allocator, which warns of such requests.  As with kmalloc,
 * the object comes zeroed where the kernel has init_on_alloc (or
 * init_on_free) on.
 *
 * Context: any context if @gfp does not allow blocking (on PREEMPT_RT,
 * as with kmalloc, not from a non-threaded hard IRQ); from NMI it
 * returns NULL (whatever @size) and counts the call in debugfs
 * (nmi_refused).
 * Return: the object, ZERO_SIZE_PTR for a @size of 0, or NULL when no
 * memory is available.
 */
void *tinyalloc_alloc_noprof(size_t size, gfp_t gfp);

/**
 * tinyalloc_free() - free an object from tinyalloc_alloc()
 * @obj: the object; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer that is not a live tinyalloc object is refused with an error
 * message and counted in debugfs (invalid_frees) whenever the bookkeeping
 * can tell, and nothing is changed then: foreign addresses, span headers,
 * tiny blocks that hold no live object and are not open on a CPU,
 * kmalloc-backed objects already freed.  A double, stale or interior free
 * into a tiny block that holds a live object or is still open cannot be
 * told from a good free (frees beyond what the block handed out are
 * reported when it is retired, unless later objects mask them), and its
 * damage stays in that block: the block's objects may be overwritten,
 * have their frees refused, or lose their memory; no object of another
 * block is affected, and no good free of one is refused.  With the module
 * parameter tiny_debug every free that is not of the start of a live
 * object is refused.
 *
 * Context: any context (on PREEMPT_RT, as with kfree, not from a
 * non-threaded hard IRQ); from NMI the free is refused, with an error
 * message, counted in debugfs (nmi_refused), and the object stays live.
 */
void tinyalloc_free(const void *obj);

/**
 * tinyalloc_alloc_node() - allocate an object on a NUMA node
 * @size: size in bytes
 * @gfp: allocation flags, as for tinyalloc_alloc()
 * @node: the node, or NUMA_NO_NODE for any
 *
 * As tinyalloc_alloc(), with the memory from @node as kmalloc_node()
 * gives it: a preference, unless @gfp has __GFP_THISNODE.  Tiny blocks
 * are the calling CPU's, on its node, so a tiny request for another node,
 * or with __GFP_THISNODE, is served by kmalloc_node().  @node must be
 * NUMA_NO_NODE or a node of the machine, as for kmalloc_node().
 *
 * Context: as tinyalloc_alloc().
 * Return: as tinyalloc_alloc().
 */
void *tinyalloc_alloc_node_noprof(size_t size, gfp_t gfp, int node);

/**
 * tinyalloc_kstrdup() - copy a string into a tinyalloc object
 * @s: the string; NULL gives NULL
 * @gfp: allocation flags, as for tinyalloc_alloc()
 *
 * A string shorter than tinyalloc_tiny_block_size() (its NUL included)
 * is a tiny object.
 *
 * Context: as tinyalloc_alloc().
 * Return: the copy, to be freed with tinyalloc_free(), or NULL.
 */
char *tinyalloc_kstrdup_noprof(const char *s, gfp_t gfp);

/**
 * tinyalloc_kstrndup() - copy at most @max bytes of a string
 * @s: the string; NULL gives NULL
 * @max: the most bytes of @s to copy; a NUL is always added
 * @gfp: allocation flags, as for tinyalloc_alloc()
 *
 * Context: as tinyalloc_alloc().
 * Return: the copy, to be freed with tinyalloc_free(), or NULL.
 */
char *tinyalloc_kstrndup_noprof(const char *s, size_t max, gfp_t gfp);

/**
 * tinyalloc_kmemdup() - copy memory into a tinyalloc object
 * @src: the bytes to copy
 * @len: how many; 0 gives ZERO_SIZE_PTR
 * @gfp: allocation flags, as for tinyalloc_alloc()
 *
 * The copy must hold no pointer that needs its object alone in its block
 * (tinyalloc_alloc()): keys and byte strings, not structures of pointers.
 *
 * Context: as tinyalloc_alloc().
 * Return: the copy, to be freed with tinyalloc_free(), ZERO_SIZE_PTR, or
 * NULL.
 */
void *tinyalloc_kmemdup_noprof(const void *src, size_t len, gfp_t gfp);

/**
 * tinyalloc_size() - the usable size of a live object
 * @obj: an object from tinyalloc_alloc() or a helper, not yet freed
 *
 * As ksize(): at least the size asked for, and all of it may be used.  A
 * kmalloc-backed object has its kmalloc bucket less tinyalloc's header
 * (on KASAN kernels the rest of the bucket is unpoisoned, as ksize() once
 * did), a ``GFP_DMA32`` object its pages less the header.  A tiny object
 * has exactly the size asked for, but that size is recorded only with
 * the module parameter tiny_debug and on KASAN kernels (tiny_kasan): in
 * the default mode a tiny object carries no size (recording it would cost
 * a bit per byte of every block, 12.5%, more than packing saves against
 * kmalloc on short strings), and its size is refused.
 *
 * A refused call (a tiny object in the default mode, or an address that
 * is not the start of a live object, whenever the bookkeeping can tell)
 * returns 0, with an error message, and is counted in debugfs
 * (invalid_sizes).
 *
 * Context: as tinyalloc_free(): any context (on PREEMPT_RT not from a
 * non-threaded hard IRQ: a kmalloc-backed object is sized under a lock);
 * from NMI it returns 0 and counts the call in debugfs (nmi_refused).
 * Return: the usable size in bytes, or 0.
 */
size_t tinyalloc_size(const void *obj);

/**
 * tinyalloc_tiny_block_size() - the tiny block size in bytes
 *
 * Requests smaller than this are combined into tiny blocks.
 *
 * Return: 8, 16 or 32 (the tiny_block module parameter).
 */
size_t tinyalloc_tiny_block_size(void);

/**
 * struct tinyalloc_stack - a stack's bounds
 * @lo: lowest address, aligned to the stack's size
 * @hi: one past the highest address
 *
 * The bounds are exactly [lo, hi), with nothing hidden on either side.
 */
struct tinyalloc_stack {
	unsigned long lo;
	unsigned long hi;
};

/**
 * tinyalloc_stack_alloc() - allocate a stack
 * @stk: where to store the bounds
 * @size: bytes wanted; rounded up to a power of two of at least
 *        tinyalloc_fixed_stack()
 * @gfp: allocation flags, as for alloc_pages(); GFP_ATOMIC works from
 *       any context, hard IRQ included (on PREEMPT_RT, as with kmalloc,
 *       not from a non-threaded hard IRQ)
 *
 * Stacks of tinyalloc_fixed_stack() << 0..3 bytes come from per-order
 * pools through per-CPU caches; larger ones from alloc_pages(), kept on
 * free lists for reuse after they are freed.  A stack whose @gfp has
 * __GFP_ACCOUNT, __GFP_DMA or __GFP_DMA32, or a pool stack when no pool
 * span can be had, gets pages of its own from @gfp, given back at free;
 * with __GFP_NOFAIL and a @gfp that may sleep it never fails.  @stk->lo
 * is aligned to the rounded size and @stk->hi - @stk->lo is that size.
 * As with alloc_pages(), the stack is zeroed when handed out where the
 * kernel has init_on_alloc on (but for stack_debug's canary at lo), and
 * when freed where it has init_on_free (pages of a stack's own are wiped
 * by the page allocator).  Nothing is written into a free stack.
 *
 * Context: any context if @gfp does not allow blocking (on PREEMPT_RT,
 * as with kmalloc, not from a non-threaded hard IRQ).
 * Return: 0; -EINVAL if @size is 0; -E2BIG if the page allocator can never
 * serve @size; -ENOMEM if no memory is available; -EPERM from NMI (counted
 * in debugfs, nmi_refused).  On error *@stk is zeroed.
 */
int tinyalloc_stack_alloc_noprof(struct tinyalloc_stack *stk, size_t size,
				 gfp_t gfp);

/**
 * tinyalloc_stack_free() - free a stack from tinyalloc_stack_alloc()
 * @stk: its bounds, unchanged; all zero is ignored
 *
 * Bounds that are not a live tinyalloc stack (foreign, wrong size,
 * misaligned, already freed) are refused with an error message and
 * counted in debugfs (stack_invalid_frees); nothing is changed then.
 *
 * Context: any context (on PREEMPT_RT, as with kfree, not from a
 * non-threaded hard IRQ); from NMI the free is refused, with an error
 * message, counted in debugfs (nmi_refused), and the stack stays live.
 */
void tinyalloc_stack_free(struct tinyalloc_stack *stk);

/**
 * tinyalloc_fixed_stack() - the smallest stack size in bytes
 *
 * Return: FIXED_STACK, the fixed_stack module parameter (default 2048).
 */
size_t tinyalloc_fixed_stack(void);

/*
 * Scope-based freeing (<linux/cleanup.h>), where the kernel has it:
 *	char *name __free(tinyalloc) = tinyalloc_kstrdup(s, GFP_KERNEL);
 */
#ifdef DEFINE_FREE
DEFINE_FREE(tinyalloc, void *, if (!IS_ERR_OR_NULL(_T)) tinyalloc_free(_T))
#endif

#endif /* _TINYALLOC_H */
