/* SPDX-License-Identifier: ISC */
/*
 * C++ allocation through operator new and delete, each form once or more:
 * new/delete, new[]/delete[] (with and without an array cookie), aligned
 * new, a std::vector grown one push_back at a time, a std::map of N
 * entries. The containers use an allocator that books each request before
 * passing it to std::allocator, so the figures do not depend on
 * libstdc++'s growth policy or node layout.
 *
 * What this program does not count: libstdc++ allocates its emergency
 * exception pool (about 72 KiB) with malloc in a constructor, before main,
 * and keeps it live. The test finds it as the one allocation memscope
 * reports beyond these figures, the same in runs with different N.
 *
 * usage: run-cxx FACTS-FILE N
 */
#include <cstddef>
#include <map>
#include <new>
#include <vector>

#include "run-target.h"

static struct book bk;

/* std::allocator, booking each request. */
template <class T>
struct booked_allocator {
	typedef T value_type;

	booked_allocator() noexcept {}
	template <class U>
	booked_allocator(const booked_allocator<U> &) noexcept {}

	T *
	allocate(std::size_t n)
	{
		T *p = std::allocator<T>().allocate(n);

		book_alloc(&bk, n * sizeof(T));
		keep(p);
		return p;
	}

	void
	deallocate(T *p, std::size_t n)
	{
		book_free(&bk, n * sizeof(T));
		std::allocator<T>().deallocate(p, n);
	}
};

template <class T, class U>
static bool
operator==(const booked_allocator<T> &, const booked_allocator<U> &)
{
	return true;
}

template <class T, class U>
static bool
operator!=(const booked_allocator<T> &, const booked_allocator<U> &)
{
	return false;
}

/* A class with a destructor: new[] of it stores the count before it. */
struct counted_obj {
	long	a, b, c;
	counted_obj() : a(1), b(2), c(3) {}
	~counted_obj() { keep(this); }
};

/* Itanium C++ ABI: the array cookie is max(sizeof(size_t), alignof(T)). */
static const std::size_t cookie = sizeof(std::size_t) > alignof(counted_obj) ?
    sizeof(std::size_t) : alignof(counted_obj);

/* Over-aligned: new of it is operator new(128, align_val_t(64)). */
struct alignas(64) aligned_obj {
	char	bytes[128];
};

typedef std::map<int, long, std::less<int>,
    booked_allocator<std::pair<const int, long> > > booked_map;

int
main(int argc, char **argv)
{
	int fd = facts_open(argc, argv);
	unsigned long n, i;

	if (argc < 3)
		run_die("usage: run-cxx FACTS-FILE N");
	n = arg_ulong(argv[2]);

	/* new/delete: N ints, every other one deleted, the rest live at exit */
	{
		std::vector<int *, booked_allocator<int *> > ints;

		for (i = 0; i < n; i++) {
			ints.push_back(static_cast<int *>(keep(new int(static_cast<int>(i)))));
			book_alloc(&bk, sizeof(int));
		}
		for (i = 0; i < n; i += 2) {
			delete ints[i];
			book_free(&bk, sizeof(int));
		}
		keep(ints.data());
	}

	/* new[]/delete[] of ints: no cookie */
	int *arr = static_cast<int *>(keep(new int[100]));
	book_alloc(&bk, 100 * sizeof(int));
	delete[] arr;
	book_free(&bk, 100 * sizeof(int));

	/* new[] of a class with a destructor: a cookie in front */
	counted_obj *objs = static_cast<counted_obj *>(keep(new counted_obj[10]));
	book_alloc(&bk, 10 * sizeof(counted_obj) + cookie);
	delete[] objs;
	book_free(&bk, 10 * sizeof(counted_obj) + cookie);
	counted_obj *kept_objs = static_cast<counted_obj *>(keep(new counted_obj[3]));
	book_alloc(&bk, 3 * sizeof(counted_obj) + cookie);

	/* aligned new */
	aligned_obj *al = static_cast<aligned_obj *>(keep(new aligned_obj));
	book_alloc(&bk, sizeof(aligned_obj));
	delete al;
	book_free(&bk, sizeof(aligned_obj));

	/* a vector grown one element at a time, then destroyed */
	{
		std::vector<long, booked_allocator<long> > v;

		for (i = 0; i < n; i++)
			v.push_back(static_cast<long>(i));
		keep(v.data());
	}

	/* a map of N entries, live at exit (the map object too) */
	booked_map *m = static_cast<booked_map *>(keep(new booked_map));
	book_alloc(&bk, sizeof(booked_map));
	for (i = 0; i < n; i++)
		(*m)[static_cast<int>(i)] = static_cast<long>(i);
	keep(m);
	keep(kept_objs);

	facts_book(fd, "", &bk);
	close(fd);
	return 0;
}
