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

#include <linux/types.h>
#include <linux/gfp.h>

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
 * ZONE_DMA32, and so does a __GFP_NOFAIL one above two pages (retried by
 * tinyalloc: the page allocator warns of such requests); __GFP_HIGHMEM
 * is ignored.
 *
 * Context: any context if @gfp does not allow blocking (on PREEMPT_RT,
 * as with kmalloc, not from a non-threaded hard IRQ); from NMI it
 * returns NULL and counts the call in debugfs (nmi_refused).
 * Return: the object, ZERO_SIZE_PTR for a @size of 0, or NULL when no
 * memory is available.
 */
void *tinyalloc_alloc(size_t size, gfp_t gfp);

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
 * with __GFP_NOFAIL and a @gfp that may sleep it never fails.  @stk->lo is aligned to the rounded
 * size and @stk->hi - @stk->lo is that size.
 *
 * Context: any context if @gfp does not allow blocking (on PREEMPT_RT,
 * as with kmalloc, not from a non-threaded hard IRQ).
 * Return: 0; -EINVAL if @size is 0; -E2BIG if the page allocator can never
 * serve @size; -ENOMEM if no memory is available; -EPERM from NMI (counted
 * in debugfs, nmi_refused).  On error *@stk is zeroed.
 */
int tinyalloc_stack_alloc(struct tinyalloc_stack *stk, size_t size, gfp_t gfp);

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

#endif /* _TINYALLOC_H */
