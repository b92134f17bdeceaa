/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-object.h"
#include "launch.h"
#include "proc.h"
#include "protocol.h"
#include "xmalloc.h"

extern char **environ;

/* The e_machine of this build's shim. */
#if defined(__x86_64__)
#define LAUNCH_MACHINE	EM_X86_64
#elif defined(__aarch64__)
#define LAUNCH_MACHINE	EM_AARCH64
#elif defined(__i386__)
#define LAUNCH_MACHINE	EM_386
#else
#define LAUNCH_MACHINE	EM_NONE
#endif

/* The file execvp would run for prog. */
static bool
find_program(const char *prog, char *path, size_t pathlen)
{
	const char *dirs = getenv("PATH");

	if (prog[0] == '\0')
		return false;
	if (strchr(prog, '/') != NULL) {
		snprintf(path, pathlen, "%s", prog);
		return access(path, F_OK) == 0;
	}
	if (dirs == NULL)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs != '\0') {
		const char *colon = strchr(dirs, ':');
		size_t len = colon ? (size_t)(colon - dirs) : strlen(dirs);

		snprintf(path, pathlen, "%.*s/%s", (int)len, len ? dirs : ".", prog);
		if (access(path, X_OK) == 0)
			return true;
		dirs += len + (colon != NULL);
	}
	return false;
}

/*
 * The interpreter a "#!" line names (fd is past the "#!"): there and
 * executable, as execve will want it.
 */
static bool
interpreter_ok(int fd, const char *path, char *why, size_t whylen)
{
	char line[256], *p, *end;
	ssize_t n = read(fd, line, sizeof(line) - 1);

	if (n <= 0)
		n = 0;
	line[n] = '\0';
	p = line + strspn(line, " \t");
	end = p + strcspn(p, " \t\n");
	*end = '\0';
	if (*p == '\0') {
		snprintf(why, whylen, "%s: its #! line names no interpreter", path);
		return false;
	}
	if (access(p, X_OK) != 0) {
		snprintf(why, whylen, "%s: its interpreter %s: %s", path, p,
		    strerror(errno));
		return false;
	}
	return true;
}

bool
launch_check_shim(const char *shim, char *why, size_t whylen)
{
	Elf64_Ehdr eh;
	struct elf_object obj;
	bool program = true;
	ssize_t n;
	int fd;

	if ((fd = open(shim, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot load the shim %s: %s", shim,
		    strerror(errno));
		return false;
	}
	n = read(fd, &eh, sizeof(eh));
	if (n == (ssize_t)sizeof(eh) && lseek(fd, 0, SEEK_SET) == 0 &&
	    elf_object_read(fd, &obj) == 0) {
		/* a PIE is ET_DYN too, but no library */
		program = obj.has_interp;
		elf_object_free(&obj);
	}
	close(fd);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_type != ET_DYN || eh.e_machine != LAUNCH_MACHINE || program) {
		snprintf(why, whylen, "cannot load the shim %s: not a shared "
		    "object for this machine", shim);
		return false;
	}
	return true;
}

bool
launch_check(const char *prog, char *path, size_t pathlen, char *why,
    size_t whylen)
{
	struct elf_object obj;
	struct stat st;
	char magic[2];
	int fd;
	bool dynamic;

	if (!find_program(prog, path, pathlen)) {
		snprintf(why, whylen, "%s%s%s: no such program",
		    prog[0] == '\0' ? "'" : "", prog, prog[0] == '\0' ? "'" : "");
		return false;
	}
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
		return false;
	}
	if (access(path, X_OK) != 0) {
		snprintf(why, whylen, "%s: not executable", path);
		return false;
	}
	if (st.st_mode & (S_ISUID | S_ISGID)) {
		snprintf(why, whylen, "%s is set-user-ID or set-group-ID: the "
		    "loader ignores LD_PRELOAD for it, so memscope cannot see "
		    "its allocations", path);
		return false;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (read(fd, magic, 2) == 2 && magic[0] == '#' && magic[1] == '!') {
		/* its interpreter is what runs: it must be there */
		bool ok = interpreter_ok(fd, path, why, whylen);

		close(fd);
		return ok;
	}
	if (elf_object_read(fd, &obj) != 0) {
		close(fd);
		snprintf(why, whylen, "%s: not an ELF program", path);
		return false;
	}
	dynamic = obj.has_interp;
	elf_object_free(&obj);
	close(fd);
	if (!dynamic) {
		snprintf(why, whylen, "%s is statically linked: LD_PRELOAD cannot "
		    "reach its allocator (try memscope map on it instead)", path);
		return false;
	}
	return true;
}

const char *
launch_shim_path(void)
{
	static char path[PATH_MAX + 64];
	const char *env = getenv("MEMSCOPE_SHIM");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env != NULL && env[0] != '\0')
		return env;
	/* run from the build tree: src/memscope next to preload/.libs/ */
	if ((n = readlink(PROC_ROOT "/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../preload/.libs/libmemscope.so",
			    self);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	return PKGLIBDIR "/libmemscope.so";
}

/* The environment, with the shim first in LD_PRELOAD and ours added. */
static char **
child_environment(const char *shim, const char *socket_path, const char *options)
{
	const char *user_preload = getenv("LD_PRELOAD");
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 4, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0 ||
		    strncmp(environ[i], MS_ENV_SOCKET "=", sizeof(MS_ENV_SOCKET)) == 0 ||
		    strncmp(environ[i], MS_ENV_OPTIONS "=", sizeof(MS_ENV_OPTIONS)) == 0)
			continue;
		env[k++] = environ[i];
	}
	if (user_preload != NULL && user_preload[0] != '\0')
		xasprintf(&env[k++], "LD_PRELOAD=%s:%s", shim, user_preload);
	else
		xasprintf(&env[k++], "LD_PRELOAD=%s", shim);
	xasprintf(&env[k++], "%s=%s", MS_ENV_SOCKET, socket_path);
	xasprintf(&env[k++], "%s=%s", MS_ENV_OPTIONS, options);
	env[k] = NULL;
	return env;
}

static struct sigaction saved_int, saved_quit, saved_pipe;
static sigset_t saved_mask;
static bool interrupts_saved;

void
launch_ignore_interrupts(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigprocmask(SIG_SETMASK, NULL, &saved_mask);
	sigaction(SIGINT, &ign, &saved_int);
	sigaction(SIGQUIT, &ign, &saved_quit);
	/* a reader of our stderr that went away must not cost the report file */
	sigaction(SIGPIPE, &ign, &saved_pipe);
	interrupts_saved = true;
}

pid_t
launch_start(const char *path, char *const argv[], const char *shim,
    const char *socket_path, const char *options, const int stdio[3])
{
	char **env = child_environment(shim, socket_path, options);
	sigset_t none;
	pid_t pid;
	size_t n = 0;

	while (env[n] != NULL)
		n++;
	if ((pid = fork()) == 0) {
		for (int i = 0; stdio != NULL && i < 3; i++)
			if (stdio[i] != -1 && dup2(stdio[i], i) == -1)
				_exit(127);
		/* the program gets the signals as memscope got them */
		sigemptyset(&none);
		if (interrupts_saved) {
			sigaction(SIGINT, &saved_int, NULL);
			sigaction(SIGQUIT, &saved_quit, NULL);
			sigaction(SIGPIPE, &saved_pipe, NULL);
			sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		} else
			sigprocmask(SIG_SETMASK, &none, NULL);
		execve(path, argv, env);
		fprintf(stderr, "memscope: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	/* our three strings are the last three */
	for (size_t i = n - 3; i < n; i++)
		free(env[i]);
	free(env);
	return pid;
}
