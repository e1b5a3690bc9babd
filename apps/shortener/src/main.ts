import 'reflect-metadata';
import { runService } from '@snip/common';
import { shortenerService } from './shortener';

void runService(shortenerService);
