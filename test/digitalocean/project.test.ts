import { Testing } from 'cdktf';
import { Project } from '../../lib/digitalocean/project';

describe('Project', () => {
  test('a project named after the environment, with its label and purpose, listing no resources itself', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => new Project(scope, 'project', { name: 'shop-prod', environment: 'Production' })),
    );
    const project = Object.values(json.resource.digitalocean_project)[0] as Record<string, any>;
    expect(project).toMatchObject({ name: 'shop-prod', environment: 'Production', purpose: 'Web Application' });
    expect(project.description).toMatch(/shop-prod/);
    expect(project.resources).toBeUndefined();
  });

  test('Development by default', () => {
    const json = JSON.parse(Testing.synthScope((scope) => new Project(scope, 'project', { name: 'shop-dev' })));
    expect((Object.values(json.resource.digitalocean_project)[0] as Record<string, any>).environment).toBe(
      'Development',
    );
  });
});
