/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tinyalloc supports (6.1 and 6.12)
 * lives here, not in #ifdefs spread through the code.
 */
#ifndef _TINYALLOC_COMPAT_H
#define _TINYALLOC_COMPAT_H

#include <linux/export.h>

/*
 * Internals the test modules call, in their own namespace so that no
 * client module links against them by accident.  (Namespaces are bare
 * tokens up to 6.12; 6.13 made them strings.)
 */
#define EXPORT_SYMBOL_TA_INTERNAL(sym) \
	EXPORT_SYMBOL_NS_GPL(sym, TINYALLOC_INTERNAL)

#endif /* _TINYALLOC_COMPAT_H */
