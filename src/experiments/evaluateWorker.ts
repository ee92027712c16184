// Worker-thread entry of evaluateParallel (evaluate.ts): compiles the WebAssembly kernel while the main
// thread loads the data, then takes one shared job and claims chunks of images alongside the main thread.
import { parentPort } from 'node:worker_threads';
import { warmUp } from '../nn/fastForward';
import { workerTakesJob, type SharedJob } from './evaluate';

warmUp();
parentPort?.once('message', (job: SharedJob) => workerTakesJob(job));
