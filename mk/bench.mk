# Fleet rollout cost: floor vs first deploy vs converged rerun on N cheap hosts (overlay chroots).
# benchmarks/bench.py; results in build/bench/results-*.{md,json}; a run is in docs/performance.md.
#   make bench                                   N = 10 50 200, forks 10, installers from the controller
#   make bench BENCH_SIZES="10 50" BENCH_FORKS=20 BENCH_SOURCE=url
#   make bench BENCH_CONTROL_PLANE=modernized    configs made by the lab's stand-in appliance (tests/lab/appliance.py)
#   make bench BENCH_ARGS="--converged-sizes 500"  also floor + converged rerun at N=500, hosts cloned from a converged one
#   make bench-probe-podman                      the same floor on podman systemd containers (comparison)
BENCH_SIZES ?= 10 50 200
BENCH_FORKS ?= 10
BENCH_SOURCE ?= controller
BENCH_CONTROL_PLANE ?= classic
BENCH_ARGS ?=
BENCH_PROBE_SIZES ?= 10 50

.PHONY: bench bench-probe-podman
bench: lab-deps collection
	$(BIN)/python benchmarks/bench.py --sizes $(BENCH_SIZES) --forks $(BENCH_FORKS) --source $(BENCH_SOURCE) --control-plane $(BENCH_CONTROL_PLANE) $(BENCH_ARGS)

bench-probe-podman: lab-deps collection
	$(BIN)/python benchmarks/bench.py probe-podman --sizes $(BENCH_PROBE_SIZES) --forks $(BENCH_FORKS)
