import { describe, expect, it } from 'vitest'
import { alertDetail, alertTitle, incidentRef, severityKind } from './alerts'

describe('alert text', () => {
  it('prefers the vendor title, else the first line without Triggered:', () => {
    expect(alertTitle({ body: 'Triggered: x', metadata: { title: ' HighLatency ' } })).toBe('HighLatency')
    expect(alertTitle({ body: '\nTriggered: BlackBox Probe Failure\n\nInstance down' })).toBe('BlackBox Probe Failure')
    expect(alertTitle({ body: '' })).toBe('(no text)')
  })
  it('leaves out the title line from the detail and shortens it', () => {
    expect(alertDetail({ body: 'Triggered: Probe failure\n\nInstance is down\nJob: http' })).toBe('Instance is down Job: http')
    expect(alertDetail({ body: 'Disk full on db-1', metadata: { title: 'DiskFull' } })).toBe('Disk full on db-1')
    expect(alertDetail({ body: 'T\n' + 'x'.repeat(400) }, 10)).toBe('xxxxxxxxx…')
  })
})

describe('incidentRef', () => {
  it('normalises keys and ids and refuses the rest', () => {
    expect(incidentRef(' inc-7 ')).toBe('INC-7')
    expect(incidentRef('42')).toBe('42')
    expect(incidentRef('INC 7')).toBe('')
    expect(incidentRef('../admin')).toBe('')
  })
  it('maps severities to badge colours', () => {
    expect(['critical', 'error', 'warning', 'info', ''].map((s) => severityKind(s as never))).toEqual(['SEV1', 'SEV2', 'SEV3', 'neutral', 'neutral'])
  })
})
