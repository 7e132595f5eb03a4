# AmiPki — the two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIGURATION ?= Release
DATA ?= var/amipki
# Development only: the software key provider encrypts CA keys with this passphrase. Set your own in production
# (or use the pkcs11 provider); `make run` is for a local development CA.
AMIPKI_KEY_PASSPHRASE ?= amipki-development-only
export AMIPKI_KEY_PASSPHRASE
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
AMIPKI := $(DOTNET) src/AmiPki.Cli/bin/$(CONFIGURATION)/net10.0/amipki.dll
RESULTS := TestResults

.PHONY: all restore build run test peers bench clean publish install uninstall

all: build

restore:
	$(DOTNET) restore AmiPki.sln

build: restore
	$(DOTNET) build AmiPki.sln -c $(CONFIGURATION) --no-restore

# Restore, build, create the development CA on first start, then serve every endpoint.
run: build
	$(AMIPKI) init --data $(DATA) --if-missing
	$(AMIPKI) serve --data $(DATA)

# `make install`: the published CLI in $(DESTDIR)$(PREFIX)/lib/amipki (its shipped profiles beside amipki.dll, where
# the CLI looks by default) and an `amipki` wrapper in $(DESTDIR)$(PREFIX)/bin. PUBLISH_DIR: install an existing
# `dotnet publish` output instead of publishing again.
PREFIX ?= /usr/local
DESTDIR ?=
PUBLISH_DIR ?= src/AmiPki.Cli/bin/$(CONFIGURATION)/publish
PUBLISH_FLAGS ?=
LIBDIR = $(DESTDIR)$(PREFIX)/lib/amipki
BINDIR = $(DESTDIR)$(PREFIX)/bin

publish:
	$(DOTNET) publish src/AmiPki.Cli -c $(CONFIGURATION) -o $(PUBLISH_DIR) $(PUBLISH_FLAGS)

install: $(if $(NO_PUBLISH),,publish)
	test -f $(PUBLISH_DIR)/amipki.dll
	rm -rf $(LIBDIR)
	install -d $(LIBDIR) $(BINDIR)
	cp -R $(PUBLISH_DIR)/. $(LIBDIR)/
	printf '#!/bin/sh\nexec $(DOTNET) $(PREFIX)/lib/amipki/amipki.dll "$$@"\n' > $(BINDIR)/amipki
	chmod 755 $(BINDIR)/amipki

uninstall:
	rm -f $(BINDIR)/amipki
	rm -rf $(LIBDIR)

# Install the real peers the tests talk to, then run every test.
peers:
	bash scripts/install-test-peers.sh

test: peers build
	rm -rf $(RESULTS)
	$(DOTNET) test AmiPki.sln -c $(CONFIGURATION) --no-build --logger "trx" --results-directory $(RESULTS) \
		--logger "console;verbosity=minimal"; status=$$?; bash scripts/test-summary.sh $(RESULTS); exit $$status

bench: peers build
	$(DOTNET) run -c $(CONFIGURATION) --no-build --project bench/AmiPki.Bench -- $(BENCH_ARGS)

clean:
	$(DOTNET) clean AmiPki.sln -c $(CONFIGURATION)
	rm -rf $(RESULTS)
