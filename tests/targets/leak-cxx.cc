/* SPDX-License-Identifier: ISC */
/*
 * C++ leak scenarios whose leak figures are known exactly (see
 * leak-cases.c and leak-target.h): operator new and new[], with the array
 * cookie of a class with a destructor, and libstdc++ containers kept by a
 * global. tests/leak-cases.expected has the figures.
 *
 * usage: leak-cxx SCENARIO
 *
 * Obj is 24 bytes, with a destructor: new Obj[n] makes a block of
 * 8 + 24 * n bytes whose first word is n (the cookie) and returns the
 * address 8 bytes in. A pointer to that address alone is an interior
 * pointer, which memcheck's "newarray" heuristic takes for a pointer to
 * the block: still reachable, not possibly lost.
 */
#include <cstring>
#include <string>
#include <vector>

#include "leak-target.h"

namespace {

const long fill = static_cast<long>(0xa5a5a5a5a5a5a5a5ULL);

struct Obj {
	long a, b, c;

	Obj() : a(fill), b(fill), c(fill) {}
	~Obj() { leak_lose(this); }
};

static_assert(sizeof(Obj) == 24, "Obj is three longs");

/* The roots of the reachable blocks. */
Obj *volatile keep_array;
std::string *volatile keep_string;
std::vector<int> *volatile keep_vector;

/* cxx-none: one of each kind of block, all freed. */
int
sc_none()
{
	Obj *o = new Obj;
	Obj *arr = new Obj[4];
	int *ints = new int[10]();
	std::string *s = new std::string(40, 's');
	std::vector<int> *v = new std::vector<int>(100, 7);

	leak_lose(o);
	leak_lose(arr);
	leak_lose(ints);
	leak_lose(s);
	leak_lose(v);
	delete v;
	delete s;
	delete[] ints;
	delete[] arr;
	delete o;
	return 0;
}

LEAK_NOINLINE Obj *
make_obj()
{
	return new Obj;
}

LEAK_NOINLINE int *
make_int()
{
	return new int(42);
}

/* cxx-lost: new Obj and new int, lost: 28 bytes in 2 blocks. */
int
sc_lost()
{
	leak_lose(make_obj());
	leak_lose(make_int());
	return 0;
}

LEAK_NOINLINE Obj *
make_array(std::size_t n)
{
	return new Obj[n];
}

/*
 * cxx-array-kept: new Obj[5] kept by a global, which points past the
 * cookie: 128 bytes reachable (by the newarray heuristic).
 */
int
sc_array_kept()
{
	keep_array = make_array(5);
	return 0;
}

/* cxx-array-lost: new Obj[3], lost: 80 bytes definitely lost. */
int
sc_array_lost()
{
	leak_lose(make_array(3));
	return 0;
}

LEAK_NOINLINE void
make_containers()
{
	/* the object (32 bytes) and its buffer (40 characters + NUL) */
	keep_string = new std::string(40, 'm');
	/* the object (24 bytes) and its elements (10 ints) */
	keep_vector = new std::vector<int>(10, 5);
}

/*
 * cxx-containers: a std::string and a std::vector made with new, kept by
 * globals (so their destructors never run): 137 bytes in 4 blocks
 * reachable.
 */
int
sc_containers()
{
	make_containers();
	return 0;
}

const struct scenario {
	const char *name;
	int (*run)();
} scenarios[] = {
	{ "cxx-none", sc_none },
	{ "cxx-lost", sc_lost },
	{ "cxx-array-kept", sc_array_kept },
	{ "cxx-array-lost", sc_array_lost },
	{ "cxx-containers", sc_containers },
};

} // namespace

int
main(int argc, char **argv)
{
	if (argc != 2)
		leak_die("usage: leak-cxx SCENARIO");
	for (const scenario &sc : scenarios) {
		if (std::strcmp(argv[1], sc.name) == 0) {
			int status = sc.run();

			leak_scrub();
			return status;
		}
	}
	leak_die("no such scenario");
}
