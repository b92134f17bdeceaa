# SPDX-License-Identifier: ISC
# cmocka unit tests of the analyzer's modules, linked with src/libmemscope.a.
if HAVE_CMOCKA
unit_cflags = $(AM_CFLAGS) $(SANITIZER_CFLAGS) $(CMOCKA_CFLAGS)
unit_libs = $(MEMSCOPE_LIBS) $(CMOCKA_LIBS)
unit_link_flags = $(SANITIZER_CFLAGS)

UNIT_TESTS = \
	tests/unit/test-proc-maps \
	tests/unit/test-proc-smaps \
	tests/unit/test-proc-stat \
	tests/unit/test-model-segments \
	tests/unit/test-json \
	tests/unit/test-fmt \
	tests/unit/test-strtab \
	tests/unit/test-ring \
	tests/unit/test-leak-scan \
	tests/unit/test-leak-roots \
	tests/unit/test-detour \
	tests/unit/test-apportion \
	tests/unit/test-model-mappings \
	tests/unit/test-model-history \
	tests/unit/test-model-heap \
	tests/unit/test-model-leaks \
	tests/unit/test-source-events \
	tests/unit/test-suppress \
	tests/unit/test-trace \
	tests/unit/test-control

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_proc_maps_SOURCES = tests/unit/test-proc-maps.c
tests_unit_test_proc_maps_CFLAGS = $(unit_cflags)
tests_unit_test_proc_maps_LDADD = $(unit_libs)
tests_unit_test_proc_maps_LDFLAGS = $(unit_link_flags)

tests_unit_test_proc_smaps_SOURCES = tests/unit/test-proc-smaps.c
tests_unit_test_proc_smaps_CFLAGS = $(unit_cflags)
tests_unit_test_proc_smaps_LDADD = $(unit_libs)
tests_unit_test_proc_smaps_LDFLAGS = $(unit_link_flags)

tests_unit_test_proc_stat_SOURCES = tests/unit/test-proc-stat.c
tests_unit_test_proc_stat_CFLAGS = $(unit_cflags)
tests_unit_test_proc_stat_LDADD = $(unit_libs)
tests_unit_test_proc_stat_LDFLAGS = $(unit_link_flags)

tests_unit_test_model_segments_SOURCES = tests/unit/test-model-segments.c
tests_unit_test_model_segments_CFLAGS = $(unit_cflags)
tests_unit_test_model_segments_LDADD = $(unit_libs)
tests_unit_test_model_segments_LDFLAGS = $(unit_link_flags)

tests_unit_test_json_SOURCES = tests/unit/test-json.c
tests_unit_test_json_CFLAGS = $(unit_cflags)
tests_unit_test_json_LDADD = $(unit_libs)
tests_unit_test_json_LDFLAGS = $(unit_link_flags)

tests_unit_test_fmt_SOURCES = tests/unit/test-fmt.c
tests_unit_test_fmt_CFLAGS = $(unit_cflags)
tests_unit_test_fmt_LDADD = $(unit_libs)
tests_unit_test_fmt_LDFLAGS = $(unit_link_flags)

tests_unit_test_strtab_SOURCES = tests/unit/test-strtab.c
tests_unit_test_strtab_CFLAGS = $(unit_cflags)
tests_unit_test_strtab_LDADD = $(unit_libs)
tests_unit_test_strtab_LDFLAGS = $(unit_link_flags)

tests_unit_test_leak_scan_SOURCES = tests/unit/test-leak-scan.c
tests_unit_test_leak_scan_CFLAGS = $(unit_cflags)
tests_unit_test_leak_scan_LDADD = $(unit_libs)
tests_unit_test_leak_scan_LDFLAGS = $(unit_link_flags)

tests_unit_test_leak_roots_SOURCES = tests/unit/test-leak-roots.c
tests_unit_test_leak_roots_CFLAGS = $(unit_cflags)
tests_unit_test_leak_roots_LDADD = $(unit_libs)
tests_unit_test_leak_roots_LDFLAGS = $(unit_link_flags)

tests_unit_test_detour_SOURCES = tests/unit/test-detour.c
tests_unit_test_detour_CFLAGS = $(unit_cflags)
tests_unit_test_detour_LDADD = $(unit_libs)
tests_unit_test_detour_LDFLAGS = $(unit_link_flags)

tests_unit_test_apportion_SOURCES = tests/unit/test-apportion.c
tests_unit_test_apportion_CFLAGS = $(unit_cflags)
tests_unit_test_apportion_LDADD = $(unit_libs)
tests_unit_test_apportion_LDFLAGS = $(unit_link_flags)

tests_unit_test_model_mappings_SOURCES = tests/unit/test-model-mappings.c
tests_unit_test_model_mappings_CFLAGS = $(unit_cflags)
tests_unit_test_model_mappings_LDADD = $(unit_libs)
tests_unit_test_model_mappings_LDFLAGS = $(unit_link_flags)

tests_unit_test_model_history_SOURCES = tests/unit/test-model-history.c
tests_unit_test_model_history_CFLAGS = $(unit_cflags)
tests_unit_test_model_history_LDADD = $(unit_libs)
tests_unit_test_model_history_LDFLAGS = $(unit_link_flags)

tests_unit_test_model_heap_SOURCES = tests/unit/test-model-heap.c
tests_unit_test_model_heap_CFLAGS = $(unit_cflags)
tests_unit_test_model_heap_LDADD = $(unit_libs)
tests_unit_test_model_heap_LDFLAGS = $(unit_link_flags)

tests_unit_test_model_leaks_SOURCES = tests/unit/test-model-leaks.c
tests_unit_test_model_leaks_CFLAGS = $(unit_cflags)
tests_unit_test_model_leaks_LDADD = $(unit_libs)
tests_unit_test_model_leaks_LDFLAGS = $(unit_link_flags)

tests_unit_test_source_events_SOURCES = tests/unit/test-source-events.c
tests_unit_test_source_events_CFLAGS = $(unit_cflags)
tests_unit_test_source_events_LDADD = $(unit_libs)
tests_unit_test_source_events_LDFLAGS = $(unit_link_flags)

tests_unit_test_suppress_SOURCES = tests/unit/test-suppress.c
tests_unit_test_suppress_CFLAGS = $(unit_cflags)
tests_unit_test_suppress_LDADD = $(unit_libs)
tests_unit_test_suppress_LDFLAGS = $(unit_link_flags)

tests_unit_test_trace_SOURCES = tests/unit/test-trace.c
tests_unit_test_trace_CFLAGS = $(unit_cflags)
tests_unit_test_trace_LDADD = $(unit_libs)
tests_unit_test_trace_LDFLAGS = $(unit_link_flags)

# The ring is header-only (src/wire/): threads and a fork, no library code.
tests_unit_test_ring_SOURCES = tests/unit/test-ring.c
tests_unit_test_ring_CFLAGS = $(unit_cflags) -pthread
tests_unit_test_ring_LDADD = $(unit_libs)
tests_unit_test_ring_LDFLAGS = $(unit_link_flags) -pthread

tests_unit_test_control_SOURCES = tests/unit/test-control.c
tests_unit_test_control_CFLAGS = $(unit_cflags)
tests_unit_test_control_LDADD = $(unit_libs)
tests_unit_test_control_LDFLAGS = $(unit_link_flags)
endif
