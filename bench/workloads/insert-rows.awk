# SPDX-License-Identifier: ISC
# insert-rows.awk: the SQL of the sqlite3 workload of `make bench`.
#
#	awk -v rows=200000 -f insert-rows.awk > insert.sql
#	sqlite3 -bail -batch :memory: '.read insert.sql'
#
# A table with two indexes, ROWS rows inserted one statement each in one
# transaction (every statement parsed and prepared: the allocation-heavy
# part of sqlite), then an update of an indexed column on half the rows and
# two queries. Deterministic: no random().
BEGIN {
	if (rows == "")
		rows = 200000
	words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt"
	print "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	print "    grp INTEGER, score REAL, note TEXT);"
	print "CREATE INDEX t_name ON t(name);"
	print "CREATE INDEX t_grp_score ON t(grp, score);"
	print "BEGIN;"
	for (i = 1; i <= rows; i++)
		printf "INSERT INTO t VALUES(%d, 'name-%05d-%d', %d, %.2f, '%s');\n",
		    i, (i * 40503) % 65536, i, (i * 7919) % 1000,
		    ((i * 104729) % 100000) / 100.0,
		    substr(words, 1 + i % 50, 10 + i % 40)
	print "COMMIT;"
	print "UPDATE t SET score = score + 1 WHERE grp % 2 = 0;"
	print "SELECT grp, count(*), avg(score) FROM t GROUP BY grp"
	print "    ORDER BY 3 DESC LIMIT 3;"
	print "SELECT count(*), max(length(note)) FROM t WHERE name LIKE 'name-0%';"
}
