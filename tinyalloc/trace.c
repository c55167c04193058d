// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of trace.h are defined here, once; tiny.c and stack.c
 * call them.
 */

#define CREATE_TRACE_POINTS
#include "trace.h"
