/** Starts the reviews subgraph as its own process (containers). `npm start` embeds it instead. */
import { runStandalone } from '@fashionistar/shared';
import { subgraph } from './server';

runStandalone(subgraph);
