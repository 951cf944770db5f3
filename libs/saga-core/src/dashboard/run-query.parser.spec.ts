import { BadRequestException } from '@nestjs/common';
import { formatCursor, parseRunQuery } from './run-query.parser';

const fields = [{ name: 'customer', title: 'Customer', path: 'customer.id' }];
const ID = '3b0c4d1e-8f7a-4b2c-9d3e-1f2a3b4c5d6e';

describe('the Runs page query', () => {
  it('reads every filter, labels and configured data fields into one store query', () => {
    const cursor = formatCursor({ createdAt: new Date('2026-01-01T10:00:00.123Z'), id: ID });
    expect(
      parseRunQuery(
        {
          status: 'CANCELLED',
          definition: 'trip-booking',
          id: ID,
          from: '2026-01-01T00:00:00Z',
          'label.mode': 'choreographed',
          'data.customer': 'cust-1',
          limit: '20',
          after: cursor,
          to: '',
        },
        fields,
      ),
    ).toEqual({
      status: 'CANCELLED',
      definitionName: 'trip-booking',
      id: ID,
      createdFrom: new Date('2026-01-01T00:00:00Z'),
      createdBefore: undefined,
      labels: { mode: 'choreographed' },
      dataContains: { customer: { id: 'cust-1' } },
      limit: 20,
      after: { createdAt: new Date('2026-01-01T10:00:00.123Z'), id: ID },
    });
  });

  it('answers 400 listing every problem', () => {
    const problems = () => {
      try {
        parseRunQuery(
          {
            status: 'LOST',
            id: 'nope',
            from: 'yesterday',
            limit: '0',
            after: 'x',
            'data.phone': '1',
            colour: 'red',
          },
          fields,
        );
      } catch (error) {
        return (error as BadRequestException).getResponse();
      }
      return null;
    };
    expect(problems()).toMatchObject({
      statusCode: 400,
      message: [
        'data.phone: unknown data field',
        'colour: unknown parameter',
        expect.stringMatching(/^status must be one of PENDING/),
        'id must be a UUID',
        'limit must be an integer from 1 to 200',
        'after must be a cursor returned by a previous page',
        'from must be an ISO 8601 time',
      ],
    });
  });
});
