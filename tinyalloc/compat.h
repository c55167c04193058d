/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tinyalloc supports (6.1 and 6.12)
 * lives here, not in #ifdefs spread through the code.
 */
#ifndef _TINYALLOC_COMPAT_H
#define _TINYALLOC_COMPAT_H

#include <linux/export.h>

/* Internals the KUnit suites call; exported only where KUnit exists. */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_TA_TEST(sym) EXPORT_SYMBOL_NS_GPL(sym, TINYALLOC_INTERNAL)
#else
#define EXPORT_SYMBOL_TA_TEST(sym) static_assert(__same_type(sym, sym))
#endif

#endif /* _TINYALLOC_COMPAT_H */
