# SPDX-License-Identifier: ISC
dist_man_MANS += man/memscope.1 man/memscope-json.5 man/memscope-suppressions.5
