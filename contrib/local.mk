bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = contrib/bash-completion/memscope
EXTRA_DIST += contrib/install-deps.sh
