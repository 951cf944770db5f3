import { tripParticipantProfiles } from '@app/trip-api';
import { UsageError } from '../support/command-line';
import { chaosProcesses } from './chaos-apps';
import { parseChaosArgs } from './chaos.options';
import { planDisruptions } from './chaos-plan';
import { buildChaosWorkload } from './chaos-workload';

const parse = (...argv: string[]) => parseChaosArgs(argv, {});

describe('the chaos command line', () => {
  it('scales kills and outages with --bookings, and defaults to proxy outages', () => {
    expect(parse('--bookings', '300')).toMatchObject({
      bookings: 300,
      seed: 1,
      outages: 'proxy',
      kills: 6,
      brokerOutages: 3,
      databaseOutages: 3,
      undoThrows: 3,
      hostileReplyTo: 6,
      keep: false,
    });
    expect(parse('--bookings=30')).toMatchObject({
      kills: 2,
      brokerOutages: 1,
      undoThrows: 1,
      hostileReplyTo: 3,
    });
    expect(parse('--undo-throws', '0', '--bookings', '300')).toMatchObject({ undoThrows: 0 });
    expect(parse('--hostile-reply-to', '0', '--bookings', '300').hostileReplyTo).toBe(0);
  });

  it('keeps the counts given, whatever the order of the flags', () => {
    expect(parse('--kills', '0', '--bookings', '500', '--keep')).toMatchObject({
      bookings: 500,
      kills: 0,
      brokerOutages: 5,
      keep: true,
    });
  });

  it('scales freezes and poison timers with --bookings unless given', () => {
    expect(parse('--bookings', '300')).toMatchObject({ freezes: 2, poisonTimers: 3, freezeMs: 0 });
    expect(parse('--bookings', '30')).toMatchObject({ freezes: 1, poisonTimers: 2 });
    expect(
      parse('--freezes', '0', '--bookings', '300', '--poison-timers', '5', '--freeze-ms', '9000'),
    ).toMatchObject({ freezes: 0, poisonTimers: 5, freezeMs: 9_000 });
  });

  it('reads --duration-limit in seconds and --outages real', () => {
    expect(parse('--bookings', '1', '--duration-limit', '60', '--outages', 'real')).toMatchObject({
      durationLimitMs: 60_000,
      outages: 'real',
    });
  });

  it('runs one process of each participant and two orchestrators unless --instances says more', () => {
    expect(parse('--bookings', '1').instances).toBe(1);
    expect(parse('--bookings', '1', '--instances', '2').instances).toBe(2);
    const names = (n: number) => chaosProcesses(n).map((p) => p.name);
    expect(names(1)).toEqual([
      'orchestrator-a',
      'orchestrator-b',
      ...tripParticipantProfiles().map((p) => p.app),
    ]);
    const two = chaosProcesses(2);
    expect(two.filter((p) => p.app === 'orchestrator')).toHaveLength(2);
    expect(two.filter((p) => p.app === 'flight-service').map((p) => p.name)).toEqual([
      'flight-service',
      'flight-service-2',
    ]);
    expect(new Set(two.map((p) => p.name)).size).toBe(two.length);
    expect(chaosProcesses(3).filter((p) => p.app === 'orchestrator')).toHaveLength(3);
  });

  it.each([
    [[]],
    [['--bookings', '10', '--instances', '0']],
    [['--bookings', '10', '--instances', '5']],
    [['--bookings', '0']],
    [['--bookings', '10', '--outages', 'docker']],
    [['--bookings', '10', '--fault-rate', '2']],
    [['--bookings', '10', '--nope', '1']],
  ])('refuses %p with a usage error', (argv) => {
    expect(() => parse(...argv)).toThrow(UsageError);
  });
});

describe('the chaos plan', () => {
  it('gives the same bookings and disruptions for the same seed', () => {
    expect(buildChaosWorkload(50, 0.4, 9)).toEqual(buildChaosWorkload(50, 0.4, 9));
    const counts = { kills: 3, brokerOutages: 2, databaseOutages: 2 };
    expect(planDisruptions(100, counts, 5, 9)).toEqual(planDisruptions(100, counts, 5, 9));
  });

  it('mixes both modes and the three faults', () => {
    const workload = buildChaosWorkload(200, 0.5, 1);
    expect(new Set(workload.map((b) => b.mode))).toEqual(
      new Set(['orchestrated', 'choreographed']),
    );
    const faults = new Set(workload.flatMap((b) => b.faults.map((f) => f.split(':')[1])));
    expect(faults).toEqual(new Set(['fail', 'timeout', 'fail-compensation']));
  });

  it('places every disruption between 5 % and 90 % of the bookings, in order', () => {
    const counts = { kills: 4, brokerOutages: 3, databaseOutages: 3 };
    const plan = planDisruptions(200, { ...counts, freezes: 2 }, 5, 2);
    expect(plan).toHaveLength(12);
    // The freezes come on top: the other disruptions of the seed stay where they were.
    expect(plan.filter((d) => d.kind !== 'freeze')).toEqual(planDisruptions(200, counts, 5, 2));
    const moments = plan.map((d) => d.afterBookings);
    expect(moments).toEqual([...moments].sort((a, b) => a - b));
    expect(Math.min(...moments)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...moments)).toBeLessThanOrEqual(180);
    expect(plan.filter((d) => d.kind === 'kill')).toHaveLength(4);
  });
});
