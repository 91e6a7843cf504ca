// Preloaded into the CLI under benchmark: reports the process's peak resident memory on exit.
process.on('exit', () => {
  process.stderr.write(`\nKYSO_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
