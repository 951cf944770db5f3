import { runServiceApp } from '@app/saga-core/bootstrap/app.bootstrap';
import { createOrchestratorApp } from './orchestrator.app';

runServiceApp('orchestrator', () => createOrchestratorApp());
