# SPDX-License-Identifier: ISC
# many-functions.awk: the C source of the gcc workload of `make bench`.
#
#	awk -v functions=1000 -f many-functions.awk > big.c
#
# FUNCTIONS small functions, each with a switch, a store through a struct
# pointer and, one in four, a call to one of the functions just before it
# (something for the inliner to weigh): the bulk of a generated table or
# parser, which keeps gcc -O2 allocating for a few seconds.
BEGIN {
	if (functions == "")
		functions = 1000
	print "struct rec {"
	print "\tint a, b;"
	print "\tdouble c;"
	print "\tstruct rec *next;"
	print "};"
	for (i = 0; i < functions; i++) {
		printf "\nint\nf_%d(struct rec *r, int x)\n{\n", i
		print "\tint acc = x;"
		print ""
		print "\tswitch (acc & 3) {"
		for (c = 0; c < 4; c++)
			printf "\tcase %d:\n\t\tacc = acc * %d + %d;\n\t\tbreak;\n",
			    c, c + i % 5 + 1, i % 97
		print "\t}"
		if (i % 4 == 3)
			printf "\tacc += f_%d(r, x - 1);\n", i - 1 - i % 3
		print "\tif (r != 0)"
		print "\t\tr->b = acc ^ r->a;"
		print "\treturn acc;"
		print "}"
	}
}
