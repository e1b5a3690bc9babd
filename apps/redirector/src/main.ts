import 'reflect-metadata';
import { runService } from '@snip/common';
import { redirectorService } from './redirector';

void runService(redirectorService);
