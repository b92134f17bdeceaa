/* SPDX-License-Identifier: ISC */
/*
 * cxx-containers: the allocation pattern of ordinary C++: std::string,
 * std::vector, std::map and std::unordered_map filled, searched, erased
 * and dropped, all through operator new and delete.
 *
 *	cxx-containers [ROUNDS]
 *
 * Each round builds a map from string keys (some short enough for the
 * small-string buffer, most not) to vectors grown by push_back, a hash map
 * of strings, and a vector of strings; erases half of each at random;
 * sorts what is left; and drops everything. Fixed seed. Prints a checksum.
 */
#include "config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#define DEF_ROUNDS	45
#define ELEMENTS	20000

static std::string
make_key(std::mt19937_64 &r)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	std::string s;
	size_t len = 4 + r() % 40;

	for (size_t i = 0; i < len; i++)
		s += alnum[r() % (sizeof(alnum) - 1)];
	return s;
}

static unsigned long
one_round(std::mt19937_64 &r)
{
	std::map<std::string, std::vector<int>> tree;
	std::unordered_map<unsigned long, std::string> hash;
	std::vector<std::string> list;
	unsigned long sum = 0;

	for (int i = 0; i < ELEMENTS; i++) {
		std::vector<int> &v = tree[make_key(r)];
		int n = (int)(r() % 32);

		for (int j = 0; j < n; j++)
			v.push_back(j * i);
		hash.emplace(r() % (4 * ELEMENTS), make_key(r));
		list.push_back(make_key(r));
	}
	for (int i = 0; i < ELEMENTS / 2; i++) {
		auto it = tree.lower_bound(make_key(r));

		if (it != tree.end()) {
			sum += it->second.size();
			tree.erase(it);
		}
		hash.erase(r() % (4 * ELEMENTS));
		if (!list.empty()) {
			size_t k = r() % list.size();

			std::swap(list[k], list.back());
			list.pop_back();
		}
	}
	std::sort(list.begin(), list.end());
	for (const auto &s : list)
		sum += (unsigned char)s[0];
	for (const auto &kv : hash)
		sum += kv.second.size();
	return sum + tree.size();
}

int
main(int argc, char **argv)
{
	std::mt19937_64 r(5);
	unsigned long sum = 0;
	long rounds = DEF_ROUNDS;

	if (argc > 1) {
		char *end;

		rounds = std::strtol(argv[1], &end, 10);
		if (end == argv[1] || *end != '\0' || rounds < 1) {
			std::fprintf(stderr, "cxx-containers: '%s' is not a "
			    "positive count\n", argv[1]);
			return 2;
		}
	}
	for (long i = 0; i < rounds; i++)
		sum += one_round(r);
	std::printf("cxx-containers: %ld rounds, checksum %lu\n", rounds, sum);
	return 0;
}
