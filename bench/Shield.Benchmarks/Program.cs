using BenchmarkDotNet.Running;
using Shield.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(ReconcileBenchmarks).Assembly).Run(args);
