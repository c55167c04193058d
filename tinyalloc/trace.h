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

#include <linux/smp.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

/*
 * A tiny object handed out (ptr is NULL when none was: nothing is
 * recorded then).  combined: it went into a block already open on its
 * CPU, as the tiny_combined counter counts; false for the first object
 * of a block.
 */
TRACE_EVENT_CONDITION(tiny_alloc,
		      TP_PROTO(const void *ptr, size_t size, bool combined),
		      TP_ARGS(ptr, size, combined),
		      TP_CONDITION(ptr),
		      TP_STRUCT__entry(__field(const void *, ptr)
				       __field(size_t, size)
				       __field(unsigned int, cpu)
				       __field(bool, combined)),
		      TP_fast_assign(__entry->ptr = ptr;
				     __entry->size = size;
				     __entry->cpu = smp_processor_id();
				     __entry->combined = combined;),
		      TP_printk("ptr=%p size=%zu cpu=%u combined=%d",
				__entry->ptr, __entry->size, __entry->cpu,
				__entry->combined));

/*
 * A tiny object freed, recorded before its block can be handed out again.
 * A free refused as foreign, in a span header or (tiny_debug) not an
 * object's start records nothing; one refused because its block holds no
 * live object is recorded, then reported.
 */
TRACE_EVENT(tiny_free,
	    TP_PROTO(const void *ptr),
	    TP_ARGS(ptr),
	    TP_STRUCT__entry(__field(const void *, ptr)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->ptr = ptr;
			   __entry->cpu = smp_processor_id();),
	    TP_printk("ptr=%p cpu=%u", __entry->ptr, __entry->cpu));

/* A stack handed out: size as requested, bytes = hi - lo as rounded up. */
TRACE_EVENT(stack_alloc,
	    TP_PROTO(unsigned long lo, size_t size, unsigned long bytes),
	    TP_ARGS(lo, size, bytes),
	    TP_STRUCT__entry(__field(const void *, lo)
			     __field(size_t, size)
			     __field(unsigned long, bytes)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->lo = (const void *)lo;
			   __entry->size = size;
			   __entry->bytes = bytes;
			   __entry->cpu = smp_processor_id();),
	    TP_printk("lo=%p size=%zu bytes=%lu cpu=%u",
		      __entry->lo, __entry->size, __entry->bytes,
		      __entry->cpu));

/* A stack freed: bytes = hi - lo.  A refused free records nothing. */
TRACE_EVENT(stack_free,
	    TP_PROTO(unsigned long lo, unsigned long bytes),
	    TP_ARGS(lo, bytes),
	    TP_STRUCT__entry(__field(const void *, lo)
			     __field(unsigned long, bytes)
			     __field(unsigned int, cpu)),
	    TP_fast_assign(__entry->lo = (const void *)lo;
			   __entry->bytes = bytes;
			   __entry->cpu = smp_processor_id();),
	    TP_printk("lo=%p bytes=%lu cpu=%u",
		      __entry->lo, __entry->bytes, __entry->cpu));

#endif /* _TINYALLOC_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src) (Kbuild). */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
