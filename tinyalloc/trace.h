/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of tinyalloc, in /sys/kernel/tracing/events/tinyalloc/.
 *
 * Each event records where it happened (cpu): for tiny_alloc the CPU whose
 * open block served the object, as the event is recorded under that CPU's
 * lock.  Addresses print with %p, hashed unless the trace option hash-ptr
 * is turned off.  Disabled, an event costs its static key's no-op.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tinyalloc

#if !defined(_TINYALLOC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TINYALLOC_TRACE_H

#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/tracepoint.h>
#include <linux/types.h>
#include <trace/events/mmflags.h>

/*
 * The events carry kmem:kmalloc's and kmem:kfree's fields, with the same
 * names and formats (call_site, ptr, bytes_req, bytes_alloc, gfp_flags,
 * node, accounted), so that scripts written for those read these by the
 * event's name; tinyalloc's own fields (cpu, combined) follow.  node is
 * the node of the memory (kmem's is the node asked for, -1 for any).
 */

/*
 * A tiny object handed out (ptr is NULL when none was: nothing is
 * recorded then).  bytes_alloc is bytes_req: the object takes no more of
 * its block.  combined: it went into a block already open on its CPU, as
 * the tiny_combined counter counts; false for the first object of a block.
 */
TRACE_EVENT_CONDITION(tiny_alloc,
		      TP_PROTO(unsigned long call_site, const void *ptr,
			       size_t bytes_req, gfp_t gfp_flags,
			       bool combined),
		      TP_ARGS(call_site, ptr, bytes_req, gfp_flags, combined),
		      TP_CONDITION(ptr),
		      TP_STRUCT__entry(__field(unsigned long, call_site)
				       __field(const void *, ptr)
				       __field(size_t, bytes_req)
				       __field(size_t, bytes_alloc)
				       __field(unsigned long, gfp_flags)
				       __field(int, node)
				       __field(bool, accounted)
				       __field(unsigned int, cpu)
				       __field(bool, combined)),
		      TP_fast_assign(__entry->call_site = call_site;
				     __entry->ptr = ptr;
				     __entry->bytes_req = bytes_req;
				     __entry->bytes_alloc = bytes_req;
				     __entry->gfp_flags =
					(__force unsigned long)gfp_flags;
				     __entry->node =
					page_to_nid(virt_to_page(ptr));
				     __entry->accounted =
					!!(gfp_flags & __GFP_ACCOUNT);
				     __entry->cpu = smp_processor_id();
				     __entry->combined = combined;),
		      TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s cpu=%u combined=%d",
				(void *)__entry->call_site, __entry->ptr,
				__entry->bytes_req, __entry->bytes_alloc,
				show_gfp_flags(__entry->gfp_flags),
				__entry->node,
				__entry->accounted ? "true" : "false",
				__entry->cpu, __entry->combined));

/*
 * A tiny object freed, recorded before its block can be handed out again.
 * A free refused as foreign, in a span header or (tiny_debug) not an
 * object's start records nothing; one refused because its block holds no
 * live object is recorded, then reported.
 */
TRACE_EVENT(tiny_free,
	    TP_PROTO(unsigned long call_site, const void *ptr),
	    TP_ARGS(call_site, ptr),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->cpu = smp_processor_id();),
	    TP_printk("call_site=%pS ptr=%p cpu=%u",
		      (void *)__entry->call_site, __entry->ptr,
		      __entry->cpu));

/*
 * A stack handed out: ptr is lo, bytes_req the size requested,
 * bytes_alloc = hi - lo as rounded up.
 */
TRACE_EVENT(stack_alloc,
	    TP_PROTO(unsigned long call_site, unsigned long lo,
		     size_t bytes_req, unsigned long bytes_alloc,
		     gfp_t gfp_flags),
	    TP_ARGS(call_site, lo, bytes_req, bytes_alloc, gfp_flags),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(unsigned long, gfp_flags)
			     __field(int, node)
			     __field(bool, accounted)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->ptr = (const void *)lo;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->gfp_flags =
				(__force unsigned long)gfp_flags;
			   __entry->node =
				page_to_nid(virt_to_page((void *)lo));
			   __entry->accounted = !!(gfp_flags & __GFP_ACCOUNT);
			   __entry->cpu = smp_processor_id();),
	    TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s cpu=%u",
		      (void *)__entry->call_site, __entry->ptr,
		      __entry->bytes_req, __entry->bytes_alloc,
		      show_gfp_flags(__entry->gfp_flags), __entry->node,
		      __entry->accounted ? "true" : "false", __entry->cpu));

/* A stack freed: ptr is lo, bytes = hi - lo.  A refused free records nothing. */
TRACE_EVENT(stack_free,
	    TP_PROTO(unsigned long call_site, unsigned long lo,
		     unsigned long bytes),
	    TP_ARGS(call_site, lo, bytes),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(unsigned long, bytes)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->ptr = (const void *)lo;
			   __entry->bytes = bytes;
			   __entry->cpu = smp_processor_id();),
	    TP_printk("call_site=%pS ptr=%p bytes=%lu cpu=%u",
		      (void *)__entry->call_site, __entry->ptr,
		      __entry->bytes, __entry->cpu));

#endif /* _TINYALLOC_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src) (Kbuild). */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
