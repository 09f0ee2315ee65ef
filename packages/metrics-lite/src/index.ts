export { CodeLatency, knativeCodeLabels, type CodeLabels } from './code-latency.js';
export { HistogramSeries, type MetricValue, type SeriesLabels } from './histogram.js';
export { registerCodeLatency, registerHistogram, registerScrapeMetric, type CodeLatencyHelp, type ScrapeMetric, type Sources } from './register.js';
