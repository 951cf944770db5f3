import { runServiceApp } from '@app/platform';
import { createOrchestratorApp } from './orchestrator.app';

runServiceApp('orchestrator', () => createOrchestratorApp());
