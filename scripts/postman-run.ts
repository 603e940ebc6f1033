import newman from 'newman';

export const COLLECTION_PATH = 'openapi/roomgate.postman_collection.json';
export const ENVIRONMENT_PATH = 'openapi/roomgate.postman_environment.json';

export interface CollectionRun {
  requests: number;
  assertions: number;
  /** One line per failed request or assertion: `request name: message`. */
  failures: string[];
}

/** Runs the Postman collection with newman against `baseUrl`, with the environment file and `apiKey`. */
export function runCollection(options: {
  baseUrl: string;
  apiKey: string;
  collection?: string | object;
  reporters?: string[];
}): Promise<CollectionRun> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: options.collection ?? COLLECTION_PATH,
        environment: ENVIRONMENT_PATH,
        envVar: [
          { key: 'baseUrl', value: options.baseUrl },
          { key: 'apiKey', value: options.apiKey },
        ],
        reporters: options.reporters ?? [],
        timeoutRequest: 10_000,
      },
      (err, summary) => {
        if (err) {
          reject(err);
          return;
        }
        const { requests, assertions } = summary.run.stats;
        resolve({
          requests: requests.total ?? 0,
          assertions: assertions.total ?? 0,
          failures: summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error.message}`),
        });
      },
    );
  });
}
