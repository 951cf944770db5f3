import { runServiceApp } from '@app/saga-core';
import { createOrchestratorApp } from './orchestrator.app';

runServiceApp('orchestrator', () => createOrchestratorApp());
