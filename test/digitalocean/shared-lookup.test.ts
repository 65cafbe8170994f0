import { Testing } from 'cdktf';
import { SharedLookup } from '../../lib/digitalocean/shared-lookup';
import { doSharedNames } from '../../stacks/contract';

describe('SharedLookup', () => {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) =>
        new SharedLookup(scope, 'shared', {
          environment: 'dev',
          names: doSharedNames('shop', 'dev', 'shop-development'),
        }),
    ),
  );

  test('finds the project by its exact name, and stops the plan naming dev-shared when there is not exactly one', () => {
    const [projects] = Object.values(json.data.digitalocean_projects) as Array<Record<string, any>>;
    expect(projects.filter).toEqual([{ key: 'name', values: ['shop-development'] }]);
    expect(projects.lifecycle.postcondition).toEqual([
      {
        condition: '${(length(self.projects) == 1)}',
        error_message:
          'dev-shared has not been deployed (or is older than this release): deploy it first with `npx cdktf deploy dev-shared`. No single DigitalOcean project is named "shop-development"',
      },
    ]);
  });

  test('looks the VPC up by name after the project check', () => {
    const [vpc] = Object.values(json.data.digitalocean_vpc) as Array<Record<string, any>>;
    expect(vpc.name).toBe('shop-dev');
    expect(vpc.depends_on).toEqual([expect.stringMatching(/^data\.digitalocean_projects\.shared_project_/)]);
  });
});
